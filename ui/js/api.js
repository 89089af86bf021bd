// The one module that talks to Callflow's REST API (/api/v1): credentials, JSON and problem details.
// HTTP Basic with the user's password kept in sessionStorage for this tab only (docs/security.md, "ui/ login").

const BASE = '/api/v1';
const SESSION_KEY = 'callflow.session';

/** A refused or failed request: the HTTP status and the RFC 9457 problem details the API answered. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** The signed-in user ({id, roles, token}) or null. */
export function currentSession() {
  const stored = sessionStorage.getItem(SESSION_KEY);
  return stored ? JSON.parse(stored) : null;
}

export function hasRole(...roles) {
  const session = currentSession();
  return !!session && roles.some(role => session.roles.includes(role));
}

/** Checks the credentials with GET /api/v1/me and keeps them for this tab; throws ApiError (401) when wrong. */
export async function signIn(user, password) {
  const token = basicToken(user, password);
  const me = await request('GET', '/me', undefined, token);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ id: me.id, roles: me.roles, token }));
  return me;
}

export function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
}

/** Listeners told when the API stops accepting the stored credentials (password changed, user removed). */
const expiredListeners = new Set();
export function onSessionExpired(listener) {
  expiredListeners.add(listener);
}

function basicToken(user, password) {
  // btoa takes Latin-1 only: encode as UTF-8 first so that any password works.
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return btoa(String.fromCharCode(...bytes));
}

/** Sends one request; resolves to the parsed JSON (or text for XML, null for 204), rejects with ApiError. */
export async function request(method, path, body, token = currentSession()?.token) {
  const headers = {
    Accept: 'application/json, application/problem+json, application/xml',
    // Spring Security answers a 401 without WWW-Authenticate to such requests, so the browser shows no login box.
    'X-Requested-With': 'XMLHttpRequest',
  };
  if (token) headers.Authorization = `Basic ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(BASE + path, {
    method, headers, credentials: 'omit', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  const payload = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    if (response.status === 401 && token && token === currentSession()?.token) {
      signOut();
      expiredListeners.forEach(listener => listener());
    }
    throw new ApiError(response.status, typeof payload === 'object' ? payload : { detail: payload || undefined });
  }
  return payload;
}

/** Builds a query string from the non-empty values only (the API treats a present-but-empty filter as a value). */
export function query(params) {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== '');
  return entries.length ? '?' + new URLSearchParams(entries).toString() : '';
}

const enc = encodeURIComponent;

/** The operations the pages use, named after what they do. */
export const api = {
  me: () => request('GET', '/me'),
  agents: () => request('GET', '/agents'),
  agent: id => request('GET', `/agents/${enc(id)}`),
  pause: (id, reason) => request('POST', `/agents/${enc(id)}/pause`, reason ? { reason } : {}),
  resume: id => request('POST', `/agents/${enc(id)}/resume`),
  logOut: id => request('POST', `/agents/${enc(id)}/logout`),
  queueStats: name => request('GET', `/queues/${enc(name)}/stats`),
  searchCalls: filters => request('GET', '/calls' + query(filters)),
  call: id => request('GET', `/calls/${enc(id)}`),
  callPath: id => request('GET', `/calls/${enc(id)}/path`),
  callDiagram: id => request('GET', `/calls/${enc(id)}/diagram`),
  liveCalls: filters => request('GET', '/calls/live' + query(filters || {})),
  hangUp: id => request('POST', `/calls/${enc(id)}/hangup`),
  transfer: (id, target) => request('POST', `/calls/${enc(id)}/transfer`, target),
  recording: (id, action) => request('POST', `/calls/${enc(id)}/recording`, { action }),
  monitor: (id, mode) => request('POST', `/calls/${enc(id)}/monitor`, { mode }),
  hold: id => request('POST', `/calls/${enc(id)}/hold`),
  unhold: id => request('POST', `/calls/${enc(id)}/resume`),
  callData: id => request('GET', `/calls/${enc(id)}/data`),
  originate: (agent, number) => request('POST', '/calls/originate', { agent, number }),
  dispositions: () => request('GET', '/dispositions'),
  setDisposition: (id, code, note) => request('PUT', `/calls/${enc(id)}/disposition`, { code, note }),
  adminList: kind => request('GET', `/admin/${enc(kind)}`),
  adminGet: (kind, key) => request('GET', `/admin/${enc(kind)}/${enc(key)}`),
  adminPut: (kind, key, entry) => request('PUT', `/admin/${enc(kind)}/${enc(key)}`, entry),
  adminDelete: (kind, key) => request('DELETE', `/admin/${enc(kind)}/${enc(key)}`),
};
