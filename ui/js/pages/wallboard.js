// Supervisor wallboard: a tile per queue (today's figures and now), every agent's state and current call, and a chart
// of calls and service level over the day. Loaded once from the REST API, then kept current by the live events
// (queue.stats every few seconds, agent.state_changed, call.*); re-loaded only when events may have been missed.
import { api } from '../api.js';
import { durationSeconds, el, formatClock, formatSeconds, heading, message, show, startOfToday, stateBadge }
  from '../dom.js';
import { openStream } from '../live.js';
import { settings } from '../settings.js';
import { dayChart } from '../chart.js';

const MONITOR_MODES = ['listen', 'whisper', 'barge'];
const TYPES = ['queue.stats', 'agent.state_changed', 'call.arrived', 'call.offered', 'call.answered', 'call.ended'];
const STATES = ['AVAILABLE', 'RESERVED', 'RINGING', 'ON_CALL', 'WRAP_UP', 'PAUSED', 'OFFLINE'];
const BUSY = ['RESERVED', 'RINGING', 'ON_CALL', 'WRAP_UP'];
const PAUSABLE = ['AVAILABLE', 'WRAP_UP'];
const LOGGABLE_OUT = ['AVAILABLE', 'WRAP_UP', 'PAUSED'];

export async function render(main) {
  const { thresholds, supervisorPauseReason } = await settings();
  const queuesArea = el('section', { 'aria-labelledby': 'queues-title' });
  const agentsArea = el('section', { 'aria-labelledby': 'agents-title' });
  const chartArea = el('section', { 'aria-labelledby': 'chart-title', class: 'chart-area' });
  const feedback = el('div', { id: 'wallboard-feedback' });
  const loadedAt = el('span', { id: 'loaded-at' }, '—');

  const tiles = new Map(); // queue name -> { stats (figures as in queue.stats), members }
  const agents = new Map(); // agent id -> the agent as GET /api/v1/agents answers, kept current by events
  let chart;
  let ticker;

  async function load() {
    try {
      const [queues, agentList, today] = await Promise.all([api.adminList('queues'), api.agents(), callsToday()]);
      const stats = await Promise.all(queues.map(queue => api.queueStats(queue.name)
        .then(fromRest).catch(error => ({ queue: queue.name, error: error.message }))));
      tiles.clear();
      queues.forEach((queue, index) => tiles.set(queue.name, {
        stats: stats[index], members: (queue.members || []).map(member => member.agent ?? member.id ?? member),
      }));
      agents.clear();
      agentList.forEach(agent => agents.set(agent.id, agent));
      drawQueues();
      drawAgents();
      chart ??= await dayChart(chartArea);
      chart?.reset(today, [...tiles.values()].map(tile => tile.stats));
      loadedAt.textContent = formatClock(new Date());
    } catch (error) {
      show(queuesArea, message('error', `Cannot load the wallboard: ${error.message}`));
    }
  }

  function drawQueues() {
    show(queuesArea, el('h2', { id: 'queues-title' }, 'Queues today'),
      tiles.size ? el('ul', { class: 'tiles' }, [...tiles.entries()].map(([name, tile]) =>
        queueTile(name, tile, agentsByState(tile.members), thresholds)))
        : el('p', {}, 'There are no queues.'));
  }

  function drawAgents() {
    const rows = [...agents.values()];
    show(agentsArea, el('h2', { id: 'agents-title' }, 'Agents'), rows.length ? el('table', { class: 'data' },
      el('thead', {}, el('tr', {}, ['Agent', 'State', 'Time in state', 'Current call', 'Calls today', 'Actions']
        .map(title => el('th', { scope: 'col' }, title)))),
      el('tbody', {}, rows.map(agentRow))) : el('p', {}, 'There are no agents.'));
    tickTimes();
  }

  // An agent that is part of a call without being its assigned agent (a consultation's target, the called agent of
  // an internal call) holds "<callId>/<role>": link and monitor the call itself.
  const callOf = id => id.split('/')[0];

  function agentRow(agent) {
    return el('tr', { 'data-agent': agent.id },
      el('th', { scope: 'row' }, `${agent.name || agent.id} (${agent.id})`),
      el('td', {}, stateBadge(agent.state, agent.stateReason)),
      el('td', { class: 'time-in-state', 'data-since': agent.stateSince || '' }, '—'),
      el('td', { class: 'current-call' }, agent.currentCall
        ? el('a', { href: `#/calls/${encodeURIComponent(callOf(agent.currentCall))}` },
          agent.currentCallLabel || agent.currentCall)
        : '—'),
      el('td', {}, agent.callsToday ?? '—'),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'secondary', 'data-action': 'pause',
          disabled: !PAUSABLE.includes(agent.state), onclick: () => command(agent, 'pause') },
        `Force pause`),
        el('button', { type: 'button', class: 'secondary', 'data-action': 'resume',
          disabled: agent.state !== 'PAUSED', onclick: () => command(agent, 'resume') }, 'Resume'),
        // An agent with a call is refused (409): it is logged out once it has finished, by another click.
        el('button', { type: 'button', class: 'secondary', 'data-action': 'logout',
          disabled: !LOGGABLE_OUT.includes(agent.state), onclick: () => command(agent, 'logout') }, 'Log out'),
        // Listen / whisper / barge ring the supervisor's own phone (its agent record) into the agent's call.
        ...MONITOR_MODES.map(mode => el('button', { type: 'button', class: 'secondary', 'data-action': mode,
          disabled: !(agent.currentCall && agent.state === 'ON_CALL'), onclick: () => monitor(agent, mode) },
        mode[0].toUpperCase() + mode.slice(1)))));
  }

  async function monitor(agent, mode) {
    try {
      const started = await api.monitor(callOf(agent.currentCall), mode);
      show(feedback, message('info', `${mode}: your phone (${started.phone}) rings for ${agent.id}'s call.`));
    } catch (error) {
      show(feedback, message('error', `${agent.id}: ${error.message}`));
    }
  }

  async function command(agent, action) {
    try {
      const changed = action === 'pause' ? await api.pause(agent.id, supervisorPauseReason)
        : action === 'logout' ? await api.logOut(agent.id) : await api.resume(agent.id);
      show(feedback, message('info', `${changed.id} is now ${changed.state.replace('_', ' ')}.`));
    } catch (error) {
      show(feedback, message('error', `${agent.id}: ${error.message}`));
    }
  }

  function replaceRow(agent) {
    const row = agentsArea.querySelector(`tr[data-agent="${CSS.escape(agent.id)}"]`);
    if (row) row.replaceWith(agentRow(agent));
    else drawAgents();
    tickTimes();
  }

  function tickTimes() {
    const now = Date.now();
    agentsArea.querySelectorAll('td.time-in-state').forEach(cell => {
      cell.textContent = cell.dataset.since ? formatSeconds((now - new Date(cell.dataset.since)) / 1000) : '—';
    });
  }

  function agentsByState(members) {
    const counts = Object.fromEntries(STATES.map(state => [state, 0]));
    members.forEach(id => { const agent = agents.get(id); if (agent) counts[agent.state] = (counts[agent.state] || 0) + 1; });
    return counts;
  }

  function onEvent(event) {
    switch (event.type) {
      case 'queue.stats': {
        const tile = tiles.get(event.queue) || { members: [] };
        tile.stats = { queue: event.queue, ...event.data };
        tiles.set(event.queue, tile);
        drawQueues();
        chart?.serviceLevel([...tiles.values()].map(value => value.stats));
        break;
      }
      case 'agent.state_changed': {
        const agent = agents.get(event.agentId);
        if (!agent) return;
        agent.state = event.data.to;
        agent.stateReason = event.data.reason || null;
        agent.stateSince = event.occurredAt;
        if (BUSY.includes(agent.state) && event.callId) {
          if (agent.currentCall !== event.callId) agent.currentCallLabel = null;
          agent.currentCall = event.callId;
        } else if (!BUSY.includes(agent.state)) {
          agent.currentCall = null;
        }
        replaceRow(agent);
        drawQueues();
        break;
      }
      case 'call.arrived':
        chart?.callArrived(event.occurredAt);
        break;
      case 'call.offered': {
        const agent = agents.get(event.agentId);
        if (!agent) return;
        agent.currentCall = event.callId;
        agent.currentCallLabel = `${event.queue || ''} (ringing)`.trim();
        replaceRow(agent);
        break;
      }
      case 'call.answered': {
        const agent = agents.get(event.agentId);
        if (!agent) return;
        agent.currentCall = event.callId;
        agent.currentCallLabel = `${event.queue || 'call'} (talking)`;
        agent.callsToday = (agent.callsToday || 0) + 1;
        replaceRow(agent);
        chart?.callAnswered(event.occurredAt);
        break;
      }
      case 'call.ended': {
        const agent = [...agents.values()].find(candidate => candidate.currentCall === event.callId);
        if (agent) {
          agent.currentCall = null;
          replaceRow(agent);
        }
        break;
      }
      default:
    }
  }

  const stream = openStream({ types: TYPES, onEvent, onResync: load });
  show(main, heading('Wallboard'),
    el('div', { class: 'inline' }, stream.indicator, el('span', { class: 'hint' }, 'Loaded at ', loadedAt)),
    feedback, queuesArea, agentsArea, chartArea);
  await load();
  ticker = setInterval(tickTimes, 1000);
  return () => { clearInterval(ticker); stream.close(); chart?.destroy(); };
}

/** Call records of today (up to 2,000, four pages), for the chart's bars; the live events add to them. */
async function callsToday() {
  const records = [];
  for (let page = 0; page < 4; page += 1) {
    const result = await api.searchCalls({ from: startOfToday(), size: 500, page });
    records.push(...result.records);
    if (records.length >= result.total) break;
  }
  return records;
}

/** GET /api/v1/queues/{name}/stats in the shape of the queue.stats event's data, so one tile draws both. */
function fromRest(stats) {
  return {
    queue: stats.queue, waiting: stats.waitingNow, longestWaitingSeconds: durationSeconds(stats.longestWaitingNow),
    agentsLoggedIn: stats.agentsLoggedIn, offered: stats.offered, answered: stats.answered, abandoned: stats.abandoned,
    serviceLevelPercent: stats.serviceLevelPercent,
    averageSpeedOfAnswerSeconds: durationSeconds(stats.averageSpeedOfAnswer),
    averageHandleTimeSeconds: durationSeconds(stats.averageHandleTime), agentsNeeded: stats.agentsNeeded,
  };
}

/** ok, warning or alert for a tile, with the reasons in words (a colour is never the only signal). */
function level(stats, thresholds) {
  const reasons = [];
  let worst = 0;
  const check = (value, limits, higherIsWorse, text) => {
    if (value === null || value === undefined || !limits) return;
    const beyond = limit => (higherIsWorse ? value >= limit : value < limit);
    const grade = beyond(limits.alert) ? 2 : beyond(limits.warning) ? 1 : 0;
    if (grade) reasons.push(text);
    worst = Math.max(worst, grade);
  };
  check(stats.waiting, thresholds.waiting, true, `${stats.waiting} waiting`);
  check(stats.longestWaitingSeconds, thresholds.longestWaitSeconds, true,
    `longest wait ${formatSeconds(stats.longestWaitingSeconds)}`);
  // Service level means little before anything was answered or abandoned today.
  if ((stats.answered || 0) + (stats.abandoned || 0) > 0) {
    check(stats.serviceLevelPercent, thresholds.serviceLevelPercent, false,
      `service level ${Math.round(stats.serviceLevelPercent)} %`);
  }
  return { name: ['ok', 'warning', 'alert'][worst], reasons };
}

function queueTile(name, tile, byState, thresholds) {
  const stats = tile.stats;
  if (!stats || stats.error) {
    return el('li', { class: 'tile', 'data-queue': name }, el('h3', {}, name),
      message('error', stats?.error || 'No figures yet.'));
  }
  const grade = level(stats, thresholds);
  const figure = (label, value, figureName) => el('div', { class: 'figure', 'data-figure': figureName },
    el('dt', {}, label), el('dd', {}, value ?? '—'));
  const label = { ok: 'OK', warning: 'Warning', alert: 'Alert' }[grade.name];
  return el('li', { class: `tile tile-${grade.name}`, 'data-queue': name, 'data-level': grade.name },
    el('h3', {}, name, ' ', el('span', { class: `level level-${grade.name}` },
      grade.reasons.length ? `${label}: ${grade.reasons.join(', ')}` : label)),
    el('dl', {},
      figure('Waiting now', stats.waiting, 'waitingNow'),
      figure('Longest wait now', formatSeconds(stats.longestWaitingSeconds), 'longestWaitingNow'),
      figure('Service level', `${Math.round(stats.serviceLevelPercent)} %`, 'serviceLevel'),
      figure('Answered', stats.answered, 'answered'),
      figure('Abandoned', stats.abandoned, 'abandoned'),
      figure('ASA', formatSeconds(stats.averageSpeedOfAnswerSeconds), 'asa'),
      figure('AHT', formatSeconds(stats.averageHandleTimeSeconds), 'aht'),
      figure('Agents logged in', stats.agentsLoggedIn, 'agentsLoggedIn'),
      figure('Agents needed (Erlang C)', stats.agentsNeeded, 'agentsNeeded')),
    el('p', { class: 'by-state', 'data-figure': 'agentsByState' }, 'Agents: ',
      STATES.filter(state => byState[state]).map(state => stateBadge(state, null, byState[state]))
        .flatMap((badge, index) => (index ? [' ', badge] : [badge])),
      STATES.every(state => !byState[state]) ? 'none' : null));
}
