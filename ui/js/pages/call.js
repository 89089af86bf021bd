// One call: its record, the path it took through its flow (times of each step) and the flow's diagram with that
// path highlighted.
import { api, ApiError } from '../api.js';
import { drawPath } from '../diagram.js';
import { el, formatTime, heading, message, show } from '../dom.js';

export async function render(main, segments) {
  const callId = segments[0];
  const recordArea = el('section', { 'aria-labelledby': 'record-title' });
  const pathArea = el('section', { 'aria-labelledby': 'path-title' });
  const diagram = el('div', { id: 'diagram', class: 'diagram', role: 'img',
    'aria-label': 'Flow diagram with the path of this call highlighted' });
  show(main, heading(`Call ${callId}`), el('p', {}, el('a', { href: '#/calls' }, 'Back to the call history')),
    recordArea, pathArea);

  try {
    const record = await api.call(callId);
    const rows = [['Caller', record.caller], ['Number dialled', record.did], ['Trunk', record.trunk],
      ['Flow', record.flow], ['Started', formatTime(record.startedAt)], ['Answered', formatTime(record.answeredAt)],
      ['Ended', record.endedAt ? formatTime(record.endedAt) : 'in progress'], ['Outcome', record.outcome],
      ['Hang-up cause', record.hangupCause], ['Queue', record.queue], ['Agent', record.agent],
      ['Menu choice', record.menuChoice], ['Routing rules', (record.routingRules || []).join(', ')],
      ['Offer attempts', record.offerAttempts], ['Node', record.ownerNode]];
    show(recordArea, el('h2', { id: 'record-title' }, 'Record'),
      el('dl', { class: 'record', id: 'call-record' }, rows.map(([label, value]) => el('div', {}, el('dt', {}, label),
        el('dd', {}, value === null || value === undefined || value === '' ? '—' : String(value))))));
  } catch (error) {
    show(recordArea, el('h2', { id: 'record-title' }, 'Record'), message('error', error instanceof ApiError
      && error.status === 404 ? 'There is no such call, or it is not yours to see.' : error.message));
    return;
  }

  try {
    const [path, xml] = await Promise.all([api.callPath(callId), api.callDiagram(callId)]);
    show(pathArea, el('h2', { id: 'path-title' }, `Path through ${path.flow}`),
      el('p', { class: 'hint' }, 'Highlighted: the steps the call passed (the last one outlined in blue, an'
        + ' interrupted one dashed in red), each with the time it was reached. Drag to move the diagram, use the mouse'
        + ' wheel to zoom.'), diagram, stepTable(path.steps));
    await drawPath(diagram, xml, path.steps);
  } catch (error) {
    show(pathArea, el('h2', { id: 'path-title' }, 'Path'), message('error', error.message));
  }
}

function stepTable(steps) {
  return el('table', { class: 'data', id: 'call-steps' },
    el('thead', {}, el('tr', {}, ['Step', 'Kind', 'Reached', 'Left', 'Took'].map(title => el('th', { scope: 'col' },
      title)))),
    el('tbody', {}, steps.map(step => el('tr', { 'data-activity': step.activityId },
      el('th', { scope: 'row' }, step.name || step.activityId),
      el('td', {}, step.type),
      el('td', {}, formatTime(step.startedAt)),
      el('td', {}, step.endedAt ? formatTime(step.endedAt) : 'not left'),
      el('td', {}, step.canceled ? 'interrupted'
        : step.durationMillis === null || step.durationMillis === undefined ? '—'
          : `${(step.durationMillis / 1000).toFixed(1)} s`)))));
}
