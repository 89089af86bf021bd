// Live events (docs/events.md): the Server-Sent Events stream GET /api/v1/events, read with fetch() and a
// ReadableStream because a browser cannot send an Authorization header with EventSource or WebSocket. One stream per
// page, with the page's filter; it reconnects with backoff, watches the server's heartbeats, and asks the page to
// re-load its data from the REST API when events may have been missed (a `stream.dropped` notice, or a reconnect).
import { api, currentSession } from './api.js';
import { el } from './dom.js';

/** The server sends a comment line after 15 s without an event; three missed ones mean the connection is dead. */
const SILENCE_LIMIT_MS = 45_000;
const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 30_000;

const LABELS = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting',
  stopped: 'Not live',
};

/**
 * Opens a live stream: onEvent(envelope) for each event of the given types, queues and agents (empty lists let
 * everything through that the user's role may see); onResync() when the page should re-read its data from the API,
 * at most once per connection or drop notice. Returns { indicator, close }: indicator is an element that says, in
 * text and colour, whether the page is live; close ends the stream (pages call it when they are left).
 */
export function openStream({ types = [], queues = [], agents = [], onEvent = () => {}, onResync = () => {} }) {
  const indicator = el('p', { class: 'live-indicator live-connecting', id: 'live-indicator', role: 'status' },
    LABELS.connecting);
  let closed = false;
  let controller;
  let retryTimer;
  let silenceTimer;
  let attempt = 0;
  let connectedBefore = false;
  let resyncRunning = false;

  function status(state, detail) {
    indicator.className = `live-indicator live-${state}`;
    indicator.dataset.state = state;
    indicator.textContent = detail ? `${LABELS[state]}: ${detail}` : LABELS[state];
  }

  function resync() {
    // A burst of drop notices while the page is still re-reading needs no second read.
    if (resyncRunning) return;
    resyncRunning = true;
    Promise.resolve().then(onResync).catch(() => {}).finally(() => { resyncRunning = false; });
  }

  function watchSilence() {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => controller?.abort('silent'), SILENCE_LIMIT_MS);
  }

  function retryLater(reason) {
    if (closed) return;
    // Exponential backoff with jitter, so a restarted server is not hit by every page at the same moment.
    const delay = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt) * (0.75 + Math.random() / 2);
    attempt += 1;
    status('reconnecting', `${reason}; next try in ${Math.round(delay / 1000)} s`);
    retryTimer = setTimeout(connect, delay);
  }

  function dispatch(frame) {
    if (!frame.data) return;
    let event;
    try {
      event = JSON.parse(frame.data);
    } catch {
      return;
    }
    if (event.type === 'stream.subscribed') {
      attempt = 0;
      status('live');
      // Whatever happened while we were away is not replayed: read the current state once.
      if (connectedBefore) resync();
      connectedBefore = true;
    } else if (event.type === 'stream.dropped') {
      status('live', `${event.data?.dropped ?? 'some'} events missed, reloaded`);
      resync();
    } else {
      onEvent(event);
    }
  }

  async function connect() {
    if (closed) return;
    const session = currentSession();
    if (!session) {
      status('stopped', 'signed out');
      return;
    }
    controller = new AbortController();
    const filter = new URLSearchParams();
    if (types.length) filter.set('types', types.join(','));
    if (queues.length) filter.set('queues', queues.join(','));
    if (agents.length) filter.set('agents', agents.join(','));
    status(attempt ? 'reconnecting' : 'connecting');
    try {
      const response = await fetch(`/api/v1/events?${filter}`, {
        headers: { Authorization: `Basic ${session.token}`, Accept: 'text/event-stream' },
        credentials: 'omit', cache: 'no-store', signal: controller.signal,
      });
      if (response.status === 401) {
        // The API's own request handling signs the user out and sends the page to the sign-in form.
        status('stopped', 'signed out');
        api.me().catch(() => {});
        return;
      }
      if (response.status === 400 || response.status === 403) {
        const problem = await response.json().catch(() => ({}));
        status('stopped', problem.detail || `HTTP ${response.status}`);
        return;
      }
      if (!response.ok || !response.body) {
        retryLater(`HTTP ${response.status}`);
        return;
      }
      watchSilence();
      await read(response.body);
      retryLater('the connection ended');
    } catch (error) {
      if (closed) return;
      retryLater(error?.name === 'AbortError' || controller.signal.aborted ? 'no heartbeat' : 'no connection');
    } finally {
      clearTimeout(silenceTimer);
    }
  }

  /** Splits the byte stream into SSE frames (blank-line separated; "event:", "data:", "id:" fields; ":" comments). */
  async function read(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done || closed) return;
      watchSilence();
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame = { data: '' };
        for (const line of block.split('\n')) {
          if (!line || line.startsWith(':')) continue; // a heartbeat comment: the connection is alive
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') frame.data += (frame.data ? '\n' : '') + text;
          else frame[field] = text;
        }
        dispatch(frame);
      }
    }
  }

  connect();
  return {
    indicator,
    close() {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(silenceTimer);
      controller?.abort('closed');
    },
  };
}

/**
 * Calls handler(event) for each event of the given types (the envelope of docs/events.md); options as for
 * openStream. Returns a function that ends the subscription.
 */
export function subscribe(types, handler, options = {}) {
  const stream = openStream({ ...options, types, onEvent: handler });
  return () => stream.close();
}
