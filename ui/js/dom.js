// Small helpers shared by the pages: building elements without innerHTML (no markup injection from API data),
// formatting times and durations, and state labels that never rely on colour alone.

/** Creates an element: el('button', {type: 'button', onclick: f}, 'Pause'). Attributes starting with "on" are listeners. */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A page heading that receives focus after navigation, so keyboard and screen-reader users start at the top. */
export function heading(text) {
  return el('h1', { tabindex: '-1', id: 'page-title' }, text);
}

/** A message region: errors are announced at once (role=alert), other news politely (role=status). */
export function message(kind, text) {
  return el('p', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function formatTime(instant) {
  if (!instant) return '—';
  const date = new Date(instant);
  return date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function formatClock(instant) {
  return instant ? new Date(instant).toLocaleTimeString(undefined, { timeStyle: 'medium' }) : '—';
}

/** Seconds from an ISO-8601 duration as the API writes them (PT1H2M3.5S), or null. */
export function durationSeconds(iso) {
  if (!iso) return null;
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(iso);
  if (!match) return null;
  const [, d = 0, h = 0, m = 0, s = 0] = match;
  return Number(d) * 86400 + Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * An agent state as a coloured badge that always carries its name (colour is never the only signal); with a count,
 * "3 AVAILABLE".
 */
export function stateBadge(state, reason, count) {
  const label = state ? state.replace('_', ' ') : 'UNKNOWN';
  const text = reason ? `${label} (${reason})` : label;
  return el('span', { class: `state state-${state || 'UNKNOWN'}` }, count === undefined ? text : `${count} ${text}`);
}

/** Replaces a container's content. */
export function show(container, ...children) {
  container.replaceChildren(...children.flat(Infinity).filter(child => child !== null && child !== undefined));
}

/** Local midnight today as an ISO-8601 instant, for "today's" searches. */
export function startOfToday() {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  return midnight.toISOString();
}
