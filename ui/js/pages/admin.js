// Administration of agents, queues, skills, business calendars and numbers over /api/v1/admin/{kind}. Entries the provisioning file
// declares are shown read-only (the API refuses to change them); a refused value is shown next to its field.
import { api, ApiError, hasRole } from '../api.js';
import { el, heading, message, show } from '../dom.js';

const STRATEGIES = ['longest-idle', 'round-robin', 'fewest-calls', 'least-talk-time', 'random', 'skills-weighted',
  'sticky'];

/**
 * What each kind's form shows. type: text, number, checkbox, select, list (comma-separated), skills ("english=8"),
 * members ("alice, bob:2" for a penalty), holidays ("12-25=Christmas Day, 2026-12-24"). hints: words of the API's messages that point at the field.
 */
const KINDS = {
  agents: { title: 'Agents', singular: 'agent', key: 'id', columns: ['id', 'name', 'sipUser', 'skills'], fields: [
    { name: 'id', label: 'Agent id (also the user id)', required: true },
    { name: 'name', label: 'Name' },
    { name: 'sipUser', label: 'SIP user (extension)', required: true, hints: ['sipUser', 'SIP user'] },
    { name: 'password', label: 'SIP password', type: 'password', hints: ['password', 'ha1'],
      help: 'Stored only as a digest. Leave empty to keep the current one.' },
    { name: 'enabled', label: 'Enabled', type: 'checkbox', initial: true },
    { name: 'skills', label: 'Skills', type: 'skills', hints: ['skill', 'level'], help: 'Like english=8, french=5 (levels 1-10).' },
  ] },
  queues: { title: 'Queues', singular: 'queue', key: 'name', columns: ['name', 'strategy', 'members'], fields: [
    { name: 'name', label: 'Queue name', required: true },
    { name: 'strategy', label: 'Strategy', type: 'select', options: STRATEGIES, hints: ['strategy'] },
    { name: 'members', label: 'Members', type: 'members', hints: ['member', 'agent'],
      help: 'Agent ids, comma-separated; agent:penalty for a penalty (bob:2).' },
    { name: 'ringTimeoutSeconds', label: 'Ring timeout (s)', type: 'number' },
    { name: 'maxWaitSeconds', label: 'Maximum wait (s)', type: 'number' },
    { name: 'wrapUpSeconds', label: 'Wrap-up (s)', type: 'number' },
    { name: 'maxMissedOffers', label: 'Missed offers before auto-pause', type: 'number' },
    { name: 'serviceLevelSeconds', label: 'Service level threshold (s)', type: 'number' },
    { name: 'serviceLevelTarget', label: 'Service level target (%)', type: 'number', max: 100 },
    { name: 'announceSeconds', label: 'Announce position every (s)', type: 'number' },
    { name: 'musicClass', label: 'Music class' },
    { name: 'joinWhenEmpty', label: 'Join when no agent is logged in', type: 'checkbox' },
    { name: 'leaveWhenEmpty', label: 'Leave when no agent is logged in', type: 'checkbox' },
    { name: 'calendar', label: 'Business calendar', hints: ['calendar'],
      help: 'A calendar from the Calendars tab; or hours and holidays of its own below (not both).' },
    { name: 'businessHours', label: 'Business hours', hints: ['business hours'],
      help: 'Like MON-FRI 08:00-20:00, SAT 09:00-13:00. Empty: always open.' },
    { name: 'holidays', label: 'Holidays', type: 'list', hints: ['holiday', 'could not be parsed'],
      help: 'ISO dates, comma-separated (2026-12-25, 2026-12-26).' },
  ] },
  skills: { title: 'Skills', singular: 'skill', key: 'name', columns: ['name', 'description'], fields: [
    { name: 'name', label: 'Skill name', required: true },
    { name: 'description', label: 'Description' },
  ] },
  dids: { title: 'Numbers (DIDs)', singular: 'number', key: 'did', columns: ['did', 'flow', 'description'], fields: [
    { name: 'did', label: 'Number dialled (DID)', required: true },
    { name: 'flow', label: 'Flow (BPMN process key)', required: true, hints: ['flow'] },
    { name: 'description', label: 'Description' },
    { name: 'calendar', label: 'Business calendar', hints: ['calendar'],
      help: 'A calendar from the Calendars tab: the routing rules close the number when it is closed.' },
  ] },
  calendars: { title: 'Calendars', singular: 'calendar', key: 'name', columns: ['name', 'zone', 'hours'], fields: [
    { name: 'name', label: 'Calendar name', required: true },
    { name: 'description', label: 'Description' },
    { name: 'zone', label: 'Time zone', hints: ['time zone'], help: 'Like Europe/Berlin. Empty: the server\'s zone.' },
    { name: 'hours', label: 'Opening hours', hints: ['business hours'],
      help: 'Like MON-FRI 08:00-20:00, SAT 09:00-13:00. Empty: always open.' },
    { name: 'holidays', label: 'Holidays', type: 'holidays', hints: ['holiday'],
      help: 'Comma-separated: 2026-12-24 (that day), 12-25 (every year); =name to name it (12-25=Christmas Day).' },
  ] },
};

let flash = null;

export async function render(main, segments) {
  const kind = KINDS[segments[0]] ? segments[0] : 'agents';
  const tabs = el('nav', { class: 'tabs', 'aria-label': 'Kinds' }, el('ul', {}, Object.entries(KINDS).map(
    ([name, spec]) => el('li', {}, el('a', { href: `#/admin/${name}`, 'aria-current': name === kind ? 'page' : null },
      spec.title)))));
  if (segments[1] === 'new') return renderForm(main, tabs, kind, null);
  if (segments[1] === 'edit' && segments[2]) return renderForm(main, tabs, kind, segments[2]);
  return renderList(main, tabs, kind);
}

async function renderList(main, tabs, kind) {
  const spec = KINDS[kind];
  const mayChange = hasRole('ADMIN');
  const feedback = el('div', { id: 'admin-feedback' }, flash ? message('info', flash) : null);
  flash = null;
  const listArea = el('div', {});
  show(main, heading(`Administration: ${spec.title}`), tabs,
    mayChange ? el('p', {}, el('a', { href: `#/admin/${kind}/new`, class: 'button', id: 'new-entry' },
      `New ${spec.singular}`)) : el('p', { class: 'hint' }, 'Supervisors see the entries; administrators change them.'),
    feedback, listArea);
  let entries;
  try {
    entries = await api.adminList(kind);
  } catch (error) {
    show(listArea, message('error', error.message));
    return;
  }
  const remove = async key => {
    if (!window.confirm(`Delete ${spec.singular} '${key}'?`)) return;
    try {
      await api.adminDelete(kind, key);
      flash = `Deleted ${spec.singular} '${key}'.`;
      await renderList(main, tabs, kind);
    } catch (error) {
      show(feedback, message('error', error.message));
    }
  };
  show(listArea, entries.length ? el('table', { class: 'data', id: 'admin-entries' },
    el('thead', {}, el('tr', {}, [...spec.columns, 'managed by', 'actions'].map(title =>
      el('th', { scope: 'col' }, title)))),
    el('tbody', {}, entries.map(entry => {
      const key = String(entry[spec.key]);
      const fileOwned = entry.managedBy === 'file';
      const editable = mayChange && !fileOwned;
      return el('tr', { 'data-key': key },
        spec.columns.map((column, index) => el(index === 0 ? 'th' : 'td', index === 0 ? { scope: 'row' } : {},
          display(column, entry[column]))),
        el('td', {}, fileOwned ? 'file (read-only)' : 'api'),
        el('td', { class: 'actions' },
          el('a', { href: `#/admin/${kind}/edit/${encodeURIComponent(key)}`, class: 'button secondary',
            'aria-label': `${editable ? 'Edit' : 'View'} ${spec.singular} ${key}` }, editable ? 'Edit' : 'View'),
          editable ? el('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${spec.singular} ${key}`,
            onclick: () => remove(key) }, 'Delete') : null));
    }))) : el('p', {}, `There are no ${spec.title.toLowerCase()}.`));
}

function display(column, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (column === 'skills') return Object.entries(value).map(([skill, level]) => `${skill} ${level}`).join(', ') || '—';
  if (column === 'members') return formatMembers(value) || '—';
  return String(value);
}

function formatMembers(members) {
  return (members || []).map(member => (typeof member === 'string' ? member
    : member.penalty ? `${member.agent}:${member.penalty}` : member.agent)).join(', ');
}

async function renderForm(main, tabs, kind, key) {
  const spec = KINDS[kind];
  let original = {};
  if (key !== null) {
    try {
      original = await api.adminGet(kind, key);
    } catch (error) {
      show(main, heading(`${spec.singular} '${key}'`), tabs, message('error', error.message));
      return;
    }
  }
  const fileOwned = original.managedBy === 'file';
  const readOnly = fileOwned || !hasRole('ADMIN');
  const formFeedback = el('div', { id: 'form-feedback' });
  const controls = new Map();
  const rows = spec.fields.map(field => {
    const control = makeControl(field, key === null ? undefined : original[field.name]);
    if (readOnly || (field.name === spec.key && key !== null)) control.disabled = true;
    controls.set(field.name, control);
    const help = field.help ? el('p', { class: 'help', id: `help-${field.name}` }, field.help) : null;
    if (help) control.setAttribute('aria-describedby', help.id);
    const error = el('p', { class: 'field-error', id: `error-${field.name}`, hidden: true });
    const label = el('label', { for: control.id }, field.label, field.required ? ' (required)' : '');
    return el('div', { class: field.type === 'checkbox' ? 'field checkbox' : 'field', 'data-field': field.name },
      field.type === 'checkbox' ? [control, label] : [label, control], help, error);
  });

  const form = el('form', { class: 'entry', novalidate: true, id: 'entry-form', onsubmit: async event => {
    event.preventDefault();
    clearErrors(controls);
    show(formFeedback);
    const entryKey = key ?? controls.get(spec.key).value.trim();
    const invalid = spec.fields.find(field => !controls.get(field.name).checkValidity()
      || (field.required && !controls.get(field.name).value.trim()));
    if (invalid) {
      const control = controls.get(invalid.name);
      fieldError(control, control.validationMessage || `${invalid.label} is required.`);
      control.focus();
      return;
    }
    try {
      await api.adminPut(kind, entryKey, body(spec, original, controls));
      flash = `Saved ${spec.singular} '${entryKey}'.`;
      location.hash = `#/admin/${kind}`;
    } catch (error) {
      showRefusal(error, spec, controls, formFeedback);
    }
  } }, rows,
  el('div', { class: 'actions' },
    readOnly ? null : el('button', { type: 'submit', id: 'save' }, 'Save'),
    el('a', { href: `#/admin/${kind}`, class: 'button secondary' }, readOnly ? 'Back' : 'Cancel')),
  formFeedback);

  show(main, heading(key === null ? `New ${spec.singular}` : `${spec.singular} '${key}'`), tabs,
    fileOwned ? el('p', { class: 'message info', id: 'file-owned' }, 'Declared in the provisioning file: it is'
      + ' read-only here. Change it in the file (docs/acd.md); the file wins.') : null,
    !fileOwned && readOnly ? el('p', { class: 'hint' }, 'Only administrators change entries.') : null,
    form);
}

function makeControl(field, value) {
  const id = `field-${field.name}`;
  const attributes = { id, name: field.name, required: field.required };
  switch (field.type) {
    case 'checkbox': {
      const box = el('input', { ...attributes, type: 'checkbox' });
      box.checked = value === undefined ? !!field.initial : !!value;
      return box;
    }
    case 'select': {
      const select = el('select', attributes, el('option', { value: '' }, '(default)'),
        field.options.map(option => el('option', { value: option }, option)));
      select.value = value ?? '';
      return select;
    }
    case 'number':
      return el('input', { ...attributes, type: 'number', min: 0, max: field.max, step: 1, inputmode: 'numeric',
        value: value ?? '' });
    case 'password':
      return el('input', { ...attributes, type: 'password', autocomplete: 'new-password' });
    case 'skills':
      return el('input', { ...attributes, value: value ? Object.entries(value).map(([s, l]) => `${s}=${l}`).join(', ') : '' });
    case 'members':
      return el('input', { ...attributes, value: formatMembers(value) });
    case 'list':
      return el('input', { ...attributes, value: (value || []).join(', ') });
    case 'holidays':
      return el('input', { ...attributes, value: (value || []).map(h => (h.name ? `${h.date}=${h.name}` : h.date))
        .join(', ') });
    default:
      return el('input', { ...attributes, value: value ?? '' });
  }
}

/** The entry to PUT: the stored entry (so fields this form does not show survive) with the form's values over it. */
function body(spec, original, controls) {
  const entry = { ...original };
  delete entry.managedBy;
  for (const field of spec.fields) {
    const control = controls.get(field.name);
    const text = control.type === 'checkbox' ? null : control.value.trim();
    const items = () => text.split(',').map(item => item.trim()).filter(Boolean);
    let value;
    switch (field.type) {
      case 'checkbox': value = control.checked; break;
      case 'number': value = text === '' ? undefined : Number(text); break;
      case 'list': value = text === '' ? undefined : items(); break;
      case 'holidays': value = items().map(item => {
        const [date, name] = item.split('=').map(part => part.trim());
        return name ? { date, name } : date;
      }); break;
      case 'skills': value = Object.fromEntries(items().map(item => {
        const [skill, level = ''] = item.split('=').map(part => part.trim());
        return [skill, /^\d+$/.test(level) ? Number(level) : level];
      })); break;
      case 'members': value = items().map(item => {
        const [agent, penalty] = item.split(':').map(part => part.trim());
        return penalty === undefined ? agent : { agent, penalty: /^\d+$/.test(penalty) ? Number(penalty) : penalty };
      }); break;
      default: value = text === '' ? undefined : text;
    }
    if (value === undefined) delete entry[field.name];
    else entry[field.name] = value;
  }
  return entry;
}

/** Shows the API's problem detail next to the field it is about, or above the buttons when it names none. */
function showRefusal(error, spec, controls, formFeedback) {
  const detail = error instanceof ApiError ? error.message : `The server cannot be reached: ${error.message}`;
  const lower = detail.toLowerCase();
  const field = spec.fields.find(candidate => (candidate.hints || [])
    .some(hint => lower.includes(hint.toLowerCase())))
    || spec.fields.find(candidate => new RegExp(`\\b${candidate.name}\\b`).test(detail));
  if (field && !controls.get(field.name).disabled) {
    const control = controls.get(field.name);
    fieldError(control, detail);
    control.focus();
  } else {
    show(formFeedback, message('error', detail));
  }
}

function fieldError(control, text) {
  const error = document.getElementById(`error-${control.name}`);
  error.textContent = text;
  error.hidden = false;
  error.setAttribute('role', 'alert');
  control.setAttribute('aria-invalid', 'true');
  const described = (control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  if (!described.includes(error.id)) control.setAttribute('aria-describedby', [...described, error.id].join(' '));
}

function clearErrors(controls) {
  for (const control of controls.values()) {
    control.removeAttribute('aria-invalid');
    const error = document.getElementById(`error-${control.name}`);
    error.hidden = true;
    error.textContent = '';
    const described = (control.getAttribute('aria-describedby') || '').split(' ').filter(id => id !== error.id);
    if (described.length) control.setAttribute('aria-describedby', described.join(' '));
    else control.removeAttribute('aria-describedby');
  }
}
