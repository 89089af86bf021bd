// The seam for live events (issue 17, second part). Pages subscribe here to the event types of docs/events.md
// (`agent.state_changed`, `queue.stats`, `call.*`); today nothing is delivered, so pages load on open and offer a
// Refresh button. The change that adds the event stream fills in this module only: same functions, same handlers.

/** Whether events arrive by themselves; pages show "not live" hints and Refresh buttons while this is false. */
export const liveEventsAvailable = false;

/**
 * Calls handler(event) for each PlatformEvent of one of the given types (the envelope of docs/events.md).
 * Returns a function that ends the subscription; pages call it when they are left.
 */
export function subscribe(_types, _handler) {
  return () => {};
}
