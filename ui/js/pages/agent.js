// Agent desktop: the agent's own state with time in state (pause with a reason, resume), the current call as a card
// with its controls and wrap-up, today's calls and click-to-call. Everything after the first load arrives over the
// live events (js/live.js): agent.state_changed for the state, call.* for the card; no polling.
import { api, ApiError, currentSession } from '../api.js';
import { el, formatClock, formatSeconds, formatTime, heading, message, show, startOfToday, stateBadge }
  from '../dom.js';
import { openStream } from '../live.js';
import { settings } from '../settings.js';

const PAUSABLE = ['AVAILABLE', 'WRAP_UP', 'PAUSED'];
const TYPES = ['agent.state_changed', 'call.offered', 'call.answered', 'call.transferred', 'call.ended',
  'call.held', 'call.resumed', 'queue.stats'];
// An agent with a call cannot log out (the API answers 409): it finishes the call first.
const LOGGABLE_OUT = ['AVAILABLE', 'WRAP_UP', 'PAUSED'];

export async function render(main) {
  const agentId = currentSession().id;
  const options = await settings();
  const dispositions = await api.dispositions().catch(() => []);
  const stateArea = el('section', { class: 'panel', 'aria-labelledby': 'own-state' });
  const feedback = el('div', { id: 'agent-feedback' });
  const reason = el('select', { id: 'pause-reason', name: 'reason' },
    options.pauseReasons.map(text => el('option', { value: text }, text)));
  const pauseButton = el('button', { type: 'submit', id: 'pause' }, 'Pause');
  const resumeButton = el('button', { type: 'button', id: 'resume', onclick: () => act(() => api.resume(agentId)) },
    'Resume');
  const pauseForm = el('form', { class: 'inline', onsubmit: event => {
    event.preventDefault();
    act(() => api.pause(agentId, reason.value));
  } }, el('label', { for: 'pause-reason' }, 'Pause reason'), reason, pauseButton, resumeButton);
  const logOutButton = el('button', { type: 'button', id: 'logout-agent', class: 'secondary',
    onclick: () => act(() => api.logOut(agentId)) }, 'Log out');
  pauseForm.append(logOutButton);
  // Outside the card, so a message survives the card being redrawn by the next event.
  const cardFeedback = el('div', { id: 'call-feedback' });
  const cardArea = el('section', { class: 'panel call-card-area', 'aria-labelledby': 'current-call', 'aria-live': 'polite' });
  const todayArea = el('section', { 'aria-labelledby': 'today-title' });
  const dialFeedback = el('div', { id: 'dial-feedback' });
  const dialNumber = el('input', { id: 'dial-number', name: 'number', type: 'tel', autocomplete: 'off',
    placeholder: '+4930123456', required: true });
  const dialForm = el('form', { class: 'inline', onsubmit: event => { event.preventDefault(); dial(); } },
    el('label', { for: 'dial-number' }, 'Call a number'), dialNumber,
    el('button', { type: 'submit', id: 'dial' }, 'Call'));
  const knownQueues = new Set(options.transferDirectory.filter(entry => entry.queue).map(entry => entry.queue));

  let agent;
  let ticker;
  let card = null; // { callId, status, queue, offeredAt, waitedSeconds, element parts }

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
    logOutButton.disabled = !LOGGABLE_OUT.includes(agent.state);
  }

  async function load() {
    try {
      agent = await api.agent(agentId);
      draw();
      if (agent.currentCall && (!card || card.callId !== agent.currentCall)) {
        openCard(agent.currentCall, { status: agent.state === 'ON_CALL' ? 'connected' : 'ringing' });
      }
    } catch (error) {
      show(stateArea, message('error', error instanceof ApiError && error.status === 404
        ? `Your user '${agentId}' is not an agent: ask an administrator to add an agent with this id.`
        : `Cannot load your state: ${error.message}`));
      pauseButton.disabled = resumeButton.disabled = true;
    }
    await loadToday();
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

  async function loadToday() {
    try {
      const page = await api.searchCalls({ from: startOfToday(), agent: agentId, size: 50 });
      show(todayArea, el('h2', { id: 'today-title' }, `Today's calls (${page.total})`), callTable(page.records, true));
    } catch (error) {
      show(todayArea, el('h2', { id: 'today-title' }, "Today's calls"), message('error', error.message));
    }
  }

  async function dial() {
    try {
      const started = await api.originate(agentId, dialNumber.value.trim());
      show(dialFeedback, message('info', `Calling ${started.number}: answer your phone.`));
      openCard(started.callId, { status: 'dialling', caller: started.number, outbound: true });
    } catch (error) {
      show(dialFeedback, message('error', error.message));
    }
  }

  // The call card -------------------------------------------------------------------------------------------------

  function openCard(callId, { status, queue, waitedSeconds, offeredAt, caller, outbound }) {
    show(cardFeedback);
    card = { callId, status, queue, waitedSeconds, offeredAt: offeredAt ? new Date(offeredAt) : new Date(), caller,
      outbound, did: null, startedAt: null, previous: null, data: null, disposition: null };
    drawCard();
    fillCard(card);
  }

  /** What the offer did not say: the live call (caller, number dialled), call data and the caller's earlier calls. */
  async function fillCard(target) {
    const live = await api.liveCalls({ agent: agentId }).catch(() => []);
    const call = live.find(candidate => candidate.callId === target.callId);
    if (call) {
      Object.assign(target, { caller: call.caller, did: call.did, queue: call.queue || target.queue,
        startedAt: call.startedAt, queuedAt: call.queuedAt });
    }
    if (!target.outbound) target.data = await api.callData(target.callId).catch(() => null);
    if (target.caller) {
      target.previous = await api.searchCalls({ caller: target.caller, size: 5 })
        .then(page => page.records.filter(record => record.callId !== target.callId)).catch(() => []);
    }
    if (card === target) drawCard();
  }

  function drawCard() {
    if (!card) {
      show(cardArea, el('h2', { id: 'current-call' }, 'Current call'),
        el('p', { id: 'no-call', class: 'hint' }, 'No call. A call offered to you appears here as your phone rings.'));
      return;
    }
    const c = card;
    const run = async (operation, done) => {
      show(cardFeedback);
      try {
        await operation();
        show(cardFeedback, message('info', done));
      } catch (error) {
        show(cardFeedback, message('error', error.message));
      }
    };
    const ended = c.status === 'ended' || c.status === 'missed';
    const waited = c.waitedSeconds !== undefined && c.waitedSeconds !== null ? formatSeconds(c.waitedSeconds)
      : c.queuedAt ? formatSeconds((c.offeredAt - new Date(c.queuedAt)) / 1000) : '—';
    const item = (label, value, name) => [el('dt', {}, label), el('dd', { 'data-field': name }, value ?? '—')];
    const dataEntries = c.data ? Object.entries(c.data) : [];

    const kind = el('select', { id: 'transfer-kind', 'aria-label': 'Transfer to' },
      ['queue', 'agent', 'number'].map(value => el('option', { value }, value)));
    const targets = el('datalist', { id: 'transfer-targets' });
    const fillTargets = () => show(targets, directory(kind.value).map(entry => el('option', { value: entry.value },
      entry.label)));
    kind.addEventListener('change', fillTargets);
    fillTargets();
    const target = el('input', { id: 'transfer-target', list: 'transfer-targets', autocomplete: 'off',
      'aria-label': 'Transfer target (type to search)', placeholder: 'type to search' });
    const transferForm = el('form', { class: 'inline', onsubmit: event => {
      event.preventDefault();
      const to = target.value.trim();
      if (!to) return;
      run(() => api.transfer(c.callId, { [kind.value]: to }), `Transferring to ${kind.value} ${to}.`);
    } }, el('label', { for: 'transfer-target' }, 'Transfer to'), kind, target, targets,
    el('button', { type: 'submit', id: 'transfer', disabled: ended }, 'Transfer'));

    const code = el('select', { id: 'disposition-code', name: 'code' },
      el('option', { value: '' }, 'Choose…'), dispositions.map(text => el('option', { value: text, selected: text === c.disposition }, text)));
    const note = el('input', { id: 'disposition-note', name: 'note', maxlength: 1000 });
    const wrapUp = el('form', { class: 'inline', id: 'wrap-up', onsubmit: event => {
      event.preventDefault();
      if (!code.value) {
        show(cardFeedback, message('error', 'Choose a disposition code.'));
        return;
      }
      run(async () => {
        const record = await api.setDisposition(c.callId, code.value, note.value);
        c.disposition = record.disposition;
        drawCard();
        loadToday();
      }, `Saved disposition '${code.value}'.`);
    } }, el('label', { for: 'disposition-code' }, 'Disposition'), code,
    el('label', { for: 'disposition-note' }, 'Note'), note, el('button', { type: 'submit', id: 'save-disposition' },
      'Save wrap-up'));

    show(cardArea,
      el('h2', { id: 'current-call' }, 'Current call'),
      el('article', { class: `call-card call-${c.status}`, id: 'call-card', 'data-call': c.callId },
        el('p', { class: 'big' }, el('span', { class: `call-status status-${c.status}`, id: 'call-status' },
          STATUS_LABELS[c.status] || c.status), ' ', el('strong', { id: 'call-caller' }, c.caller || '…')),
        el('dl', { class: 'record' },
          item('Caller', c.caller, 'caller'), item('Number dialled', c.did, 'did'), item('Queue', c.queue, 'queue'),
          item('Waited', waited, 'waited'), item('Offered at', formatClock(c.offeredAt), 'offeredAt'),
          item('Call id', c.callId, 'callId')),
        el('h3', {}, 'Call data'),
        dataEntries.length ? el('dl', { class: 'record', id: 'call-data' }, dataEntries.flatMap(([key, value]) =>
          item(key, String(value), key))) : el('p', { class: 'hint' }, 'None set.'),
        el('h3', {}, "Caller's previous calls"),
        c.previous === null ? el('p', { class: 'hint' }, 'Loading…')
          : c.previous.length ? callTable(c.previous, false) : el('p', { class: 'hint' }, 'None you answered.'),
        el('div', { class: 'inline' },
          el('button', { type: 'button', id: 'hangup', class: 'danger', disabled: ended,
            onclick: () => run(() => api.hangUp(c.callId), 'Hanging up.') }, 'Hang up'),
          el('button', { type: 'button', id: 'hold', class: 'secondary', disabled: ended || c.status !== 'connected',
            onclick: () => run(() => c.held ? api.unhold(c.callId) : api.hold(c.callId),
              c.held ? 'Resumed: you and the caller hear each other.' : 'On hold: the caller hears music.') },
          c.held ? 'Resume call' : 'Hold'),
          c.held ? el('span', { id: 'hold-state', class: 'call-status status-held' }, 'On hold') : null,
          el('button', { type: 'button', id: 'recording-pause', class: 'secondary', disabled: ended,
            onclick: () => run(() => api.recording(c.callId, 'pause'), 'Recording paused (silence is recorded).') },
          'Pause recording'),
          el('button', { type: 'button', id: 'recording-resume', class: 'secondary', disabled: ended,
            onclick: () => run(() => api.recording(c.callId, 'resume'), 'Recording resumed.') }, 'Resume recording'),
          ended ? el('button', { type: 'button', id: 'close-card', class: 'secondary',
            onclick: () => { card = null; show(cardFeedback); drawCard(); } }, 'Close card') : null),
        c.outbound ? null : transferForm,
        wrapUp,
        c.disposition ? el('p', { id: 'saved-disposition' }, `Disposition: ${c.disposition}`) : null,
        cardFeedback));
  }

  /** Transfer targets for a kind: the directory of settings.json, and for queues those this agent sees figures of. */
  function directory(kindOfTarget) {
    const entries = options.transferDirectory.filter(entry => entry[kindOfTarget])
      .map(entry => ({ value: entry[kindOfTarget], label: entry.label || entry[kindOfTarget] }));
    if (kindOfTarget === 'queue') {
      knownQueues.forEach(name => { if (!entries.some(entry => entry.value === name)) entries.push({ value: name, label: name }); });
    }
    return entries;
  }

  function onEvent(event) {
    if (event.type === 'agent.state_changed' && event.agentId === agentId && agent) {
      agent = { ...agent, state: event.data.to, stateReason: event.data.reason || null, stateSince: event.occurredAt };
      draw();
      if (card && ['ringing', 'dialling'].includes(card.status) && ['AVAILABLE', 'PAUSED', 'OFFLINE']
        .includes(event.data.to) && event.callId !== card.callId) {
        card.status = 'missed';
        drawCard();
      }
      if (card && card.outbound && card.callId === event.callId && event.data.to === 'ON_CALL') {
        card.status = 'connected';
        drawCard();
      }
      return;
    }
    if (event.type === 'queue.stats') {
      knownQueues.add(event.queue);
      return;
    }
    if (event.type === 'call.offered' && event.agentId === agentId) {
      openCard(event.callId, { status: 'ringing', queue: event.queue, waitedSeconds: event.data.waitedSeconds,
        offeredAt: event.occurredAt });
      return;
    }
    if (!card || event.callId !== card.callId) return;
    if (event.type === 'call.answered') {
      card.status = event.agentId === agentId ? 'connected' : 'missed';
    } else if (event.type === 'call.held' || event.type === 'call.resumed') {
      card.held = event.type === 'call.held';
    } else if (event.type === 'call.transferred') {
      card.status = 'transferred';
    } else if (event.type === 'call.ended') {
      card.status = 'ended';
      card.outcome = event.data.outcome;
      loadToday();
    }
    drawCard();
  }

  const stream = openStream({ types: TYPES, onEvent, onResync: load });
  show(main, heading('Agent desktop'), stream.indicator, stateArea, pauseForm, feedback, cardArea, dialForm,
    dialFeedback, todayArea, el('p', {}, el('a', { href: '#/calls' }, 'All my calls')));
  drawCard();
  await load();
  return () => { clearInterval(ticker); stream.close(); };
}

const STATUS_LABELS = {
  ringing: 'Ringing', dialling: 'Dialling', connected: 'Connected', transferred: 'Transferred',
  ended: 'Ended', missed: 'Not answered by you',
};

function callTable(records, withDisposition) {
  if (!records.length) return el('p', { class: 'hint' }, 'No calls yet.');
  return el('table', { class: 'data' },
    el('thead', {}, el('tr', {}, ['Started', 'Caller', 'Number', 'Queue', 'Outcome', withDisposition ? 'Disposition' : null]
      .filter(Boolean).map(title => el('th', { scope: 'col' }, title)))),
    el('tbody', {}, records.map(record => el('tr', { 'data-call': record.callId },
      el('td', {}, el('a', { href: `#/calls/${encodeURIComponent(record.callId)}` }, formatTime(record.startedAt))),
      el('td', {}, record.caller || '—'), el('td', {}, record.did || '—'), el('td', {}, record.queue || '—'),
      el('td', {}, record.outcome || (record.endedAt ? '—' : 'in progress')),
      withDisposition ? el('td', { class: 'disposition' }, record.disposition || '—') : null))));
}
