// Agent desktop (first part): the agent's own state and time in state, pause with a reason, resume.
// The current call card, call controls and today's calls arrive with the live events (js/live.js).
import { api, ApiError, currentSession } from '../api.js';
import { el, formatClock, formatSeconds, heading, message, show, stateBadge } from '../dom.js';
import { liveEventsAvailable, subscribe } from '../live.js';
import { settings } from '../settings.js';

const PAUSABLE = ['AVAILABLE', 'WRAP_UP', 'PAUSED'];

export async function render(main) {
  const agentId = currentSession().id;
  const { pauseReasons } = await settings();
  const stateArea = el('section', { class: 'panel', 'aria-labelledby': 'own-state' });
  const feedback = el('div', { id: 'agent-feedback' });
  const reason = el('select', { id: 'pause-reason', name: 'reason' },
    pauseReasons.map(text => el('option', { value: text }, text)));
  const pauseButton = el('button', { type: 'submit', id: 'pause' }, 'Pause');
  const resumeButton = el('button', { type: 'button', id: 'resume', onclick: () => act(() => api.resume(agentId)) },
    'Resume');
  const refreshButton = el('button', { type: 'button', id: 'refresh', class: 'secondary', onclick: () => load() },
    'Refresh');
  const pauseForm = el('form', { class: 'inline', onsubmit: event => {
    event.preventDefault();
    act(() => api.pause(agentId, reason.value));
  } }, el('label', { for: 'pause-reason' }, 'Pause reason'), reason, pauseButton, resumeButton);

  let agent;
  let ticker;

  function draw() {
    const since = agent.stateSince ? new Date(agent.stateSince) : null;
    const timeInState = el('span', { id: 'time-in-state' });
    const tick = () => { timeInState.textContent = since ? formatSeconds((Date.now() - since) / 1000) : '—'; };
    tick();
    clearInterval(ticker);
    ticker = setInterval(tick, 1000);
    show(stateArea, el('h2', { id: 'own-state' }, `${agent.name || agent.id} (${agent.id})`),
      el('p', { class: 'big' }, 'State: ', el('span', { id: 'agent-state' }, stateBadge(agent.state, agent.stateReason))),
      el('p', {}, `Since ${formatClock(agent.stateSince)} — time in state `, timeInState),
      el('p', {}, `Phone ${agent.registered ? 'registered' : 'not registered'}; calls today: ${agent.callsToday};`
        + ` talk time today: ${formatSeconds(agent.talkSecondsToday)}`));
    pauseButton.disabled = !PAUSABLE.includes(agent.state);
    resumeButton.disabled = agent.state !== 'PAUSED';
  }

  async function load() {
    try {
      agent = await api.agent(agentId);
      draw();
    } catch (error) {
      show(stateArea, message('error', error instanceof ApiError && error.status === 404
        ? `Your user '${agentId}' is not an agent: ask an administrator to add an agent with this id.`
        : `Cannot load your state: ${error.message}`));
      pauseButton.disabled = resumeButton.disabled = true;
    }
  }

  async function act(operation) {
    try {
      agent = await operation();
      draw();
      show(feedback, message('info', `You are now ${agent.state.replace('_', ' ')}.`));
    } catch (error) {
      show(feedback, message('error', error.message));
      await load();
    }
  }

  show(main, heading('Agent desktop'),
    liveEventsAvailable ? null : el('p', { class: 'hint not-live', id: 'not-live' },
      'Not live yet: your state is loaded when the page opens; press Refresh to update it. ', refreshButton),
    stateArea, pauseForm, feedback,
    el('section', { class: 'panel placeholder', 'aria-labelledby': 'current-call' },
      el('h2', { id: 'current-call' }, 'Current call'),
      el('p', {}, 'The ringing or connected call will appear here once live events are available.')),
    el('p', {}, el('a', { href: '#/calls' }, 'My calls')));
  await load();
  const unsubscribe = subscribe(['agent.state_changed'], event => {
    if (event.agentId === agentId) load();
  });
  return () => { clearInterval(ticker); unsubscribe(); };
}
