// Call history: search finished calls by time, caller, queue, agent and outcome, a page at a time.
// The search lives in the address (#/calls?caller=...&page=1), so Back, reload and links keep it.
import { api, hasRole } from '../api.js';
import { el, formatTime, heading, message, show } from '../dom.js';

const PAGE_SIZE = 20;
const OUTCOMES = ['COMPLETED', 'ABANDONED', 'CLOSED', 'REFUSED', 'NODE_LOST', 'CALL_LOST'];
const FILTERS = ['from', 'to', 'caller', 'queue', 'agent', 'outcome'];

export async function render(main, segments, params) {
  const seesEveryone = hasRole('ADMIN', 'SUPERVISOR');
  const input = (name, label, attributes = {}) => {
    const field = el('input', { id: `search-${name}`, name, value: params.get(name) || '', ...attributes });
    return el('div', { class: 'field' }, el('label', { for: field.id }, label), field);
  };
  const outcome = el('input', { id: 'search-outcome', name: 'outcome', list: 'outcomes',
    value: params.get('outcome') || '' });
  const form = el('form', { class: 'search', role: 'search', 'aria-label': 'Search calls', onsubmit: event => {
    event.preventDefault();
    const data = new FormData(form);
    const next = new URLSearchParams();
    for (const name of FILTERS) {
      const value = String(data.get(name) || '').trim();
      if (value) next.set(name, value);
    }
    location.hash = `#/calls?${next}`;
  } },
  input('from', 'From', { type: 'datetime-local', step: 1 }),
  input('to', 'Until', { type: 'datetime-local', step: 1 }),
  input('caller', 'Caller number contains', { inputmode: 'tel' }),
  input('queue', 'Queue'),
  seesEveryone ? input('agent', 'Agent id') : null,
  el('div', { class: 'field' }, el('label', { for: 'search-outcome' }, 'Outcome'), outcome,
    el('datalist', { id: 'outcomes' }, OUTCOMES.map(value => el('option', { value })))),
  el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'search' }, 'Search'),
    el('a', { href: '#/calls', class: 'button secondary' }, 'Clear')));

  const results = el('section', { 'aria-labelledby': 'results-title', id: 'results' });
  show(main, heading('Call history'),
    seesEveryone ? null : el('p', { class: 'hint' }, 'You see the calls you answered.'), form, results);

  const page = Math.max(0, Number.parseInt(params.get('page') || '0', 10) || 0);
  const filters = { page, size: PAGE_SIZE };
  try {
    for (const name of FILTERS) {
      const value = params.get(name);
      if (!value) continue;
      // datetime-local values are the browser's local time; the API wants instants.
      filters[name] = name === 'from' || name === 'to' ? instant(name, value) : value;
    }
    const found = await api.searchCalls(filters);
    show(results, el('h2', { id: 'results-title' }, `${found.total} call${found.total === 1 ? '' : 's'} found`),
      found.records.length ? resultTable(found.records) : el('p', {}, 'No calls match this search.'),
      pager(found, params));
  } catch (error) {
    show(results, el('h2', { id: 'results-title' }, 'Search failed'), message('error', error.message));
  }
}

function instant(name, localDateTime) {
  const date = new Date(localDateTime);
  if (Number.isNaN(date.getTime())) throw new Error(`'${name}' is not a date and time: ${localDateTime}`);
  return date.toISOString();
}

function resultTable(records) {
  return el('table', { class: 'data', id: 'call-results' },
    el('thead', {}, el('tr', {}, ['Started', 'Caller', 'Number dialled', 'Queue', 'Agent', 'Outcome', 'Ended']
      .map(title => el('th', { scope: 'col' }, title)))),
    el('tbody', {}, records.map(record => el('tr', { 'data-call': record.callId },
      el('td', {}, el('a', { href: `#/calls/${encodeURIComponent(record.callId)}`,
        'aria-label': `Call from ${record.caller || 'unknown'} at ${formatTime(record.startedAt)}` },
      formatTime(record.startedAt))),
      el('td', {}, record.caller || '—'),
      el('td', {}, record.did || '—'),
      el('td', {}, record.queue || '—'),
      el('td', {}, record.agent || '—'),
      el('td', {}, record.outcome || (record.endedAt ? '—' : 'in progress')),
      el('td', {}, formatTime(record.endedAt))))));
}

function pager(found, params) {
  const pages = Math.max(1, Math.ceil(found.total / found.size));
  const link = (page, label, id) => {
    const next = new URLSearchParams(params);
    next.set('page', page);
    return el('a', { href: `#/calls?${next}`, class: 'button secondary', id }, label);
  };
  return el('nav', { class: 'pager', 'aria-label': 'Result pages' },
    found.page > 0 ? link(found.page - 1, 'Previous page', 'previous-page') : null,
    el('span', { id: 'page-of' }, `Page ${found.page + 1} of ${pages}`),
    found.page + 1 < pages ? link(found.page + 1, 'Next page', 'next-page') : null);
}
