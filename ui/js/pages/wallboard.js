// Supervisor wallboard (first part): per-queue figures and agents by state, loaded on open and by Refresh.
// Live updates plug in through js/live.js (queue.stats, agent.state_changed) without changing this page's layout.
import { api } from '../api.js';
import { durationSeconds, el, formatClock, formatSeconds, heading, message, show, stateBadge } from '../dom.js';
import { liveEventsAvailable, subscribe } from '../live.js';

export async function render(main) {
  const queuesArea = el('section', { 'aria-labelledby': 'queues-title' });
  const agentsArea = el('section', { 'aria-labelledby': 'agents-title' });
  const loadedAt = el('span', { id: 'loaded-at' }, '—');
  const refreshButton = el('button', { type: 'button', id: 'refresh', onclick: () => load() }, 'Refresh');

  async function load() {
    refreshButton.disabled = true;
    try {
      const [queues, agents] = await Promise.all([api.adminList('queues'), api.agents()]);
      const stats = await Promise.all(queues.map(queue => api.queueStats(queue.name)
        .catch(error => ({ queue: queue.name, error: error.message }))));
      show(queuesArea, el('h2', { id: 'queues-title' }, 'Queues today'),
        stats.length ? el('ul', { class: 'tiles' }, stats.map(queueTile))
          : el('p', {}, 'There are no queues.'));
      show(agentsArea, el('h2', { id: 'agents-title' }, 'Agents'), agentTable(agents));
      loadedAt.textContent = formatClock(new Date());
    } catch (error) {
      show(queuesArea, message('error', `Cannot load the wallboard: ${error.message}`));
    } finally {
      refreshButton.disabled = false;
    }
  }

  show(main, heading('Wallboard'),
    el('p', { class: liveEventsAvailable ? 'hint' : 'hint not-live', id: 'not-live' },
      liveEventsAvailable ? 'Live. ' : 'Not live yet: figures are loaded when the page opens and when you press Refresh. ',
      'Loaded at ', loadedAt, ' ', refreshButton),
    queuesArea, agentsArea);
  await load();
  const unsubscribe = subscribe(['queue.stats', 'agent.state_changed'], () => load());
  return unsubscribe;
}

function queueTile(stats) {
  if (stats.error) {
    return el('li', { class: 'tile' }, el('h3', {}, stats.queue), message('error', stats.error));
  }
  const figure = (label, value, name) => el('div', { class: 'figure', 'data-figure': name },
    el('dt', {}, label), el('dd', {}, value));
  return el('li', { class: 'tile', 'data-queue': stats.queue },
    el('h3', {}, stats.queue),
    el('dl', {},
      figure('Waiting now', stats.waitingNow, 'waitingNow'),
      figure('Longest wait now', formatSeconds(durationSeconds(stats.longestWaitingNow)), 'longestWaitingNow'),
      figure('Service level', `${Math.round(stats.serviceLevelPercent)} %`, 'serviceLevel'),
      figure('Answered', stats.answered, 'answered'),
      figure('Abandoned', stats.abandoned, 'abandoned'),
      figure('ASA', formatSeconds(durationSeconds(stats.averageSpeedOfAnswer)), 'asa'),
      figure('AHT', formatSeconds(durationSeconds(stats.averageHandleTime)), 'aht'),
      figure('Agents logged in', stats.agentsLoggedIn, 'agentsLoggedIn'),
      figure('Agents needed (Erlang C)', stats.agentsNeeded, 'agentsNeeded')));
}

function agentTable(agents) {
  if (!agents.length) return el('p', {}, 'There are no agents.');
  const now = Date.now();
  return el('table', { class: 'data' },
    el('thead', {}, el('tr', {}, ['Agent', 'State', 'Time in state', 'Current call', 'Calls today']
      .map(title => el('th', { scope: 'col' }, title)))),
    el('tbody', {}, agents.map(agent => el('tr', { 'data-agent': agent.id },
      el('th', { scope: 'row' }, `${agent.name || agent.id} (${agent.id})`),
      el('td', {}, stateBadge(agent.state, agent.stateReason)),
      el('td', {}, agent.stateSince ? formatSeconds((now - new Date(agent.stateSince)) / 1000) : '—'),
      el('td', {}, agent.currentCall || '—'),
      el('td', {}, agent.callsToday)))));
}
