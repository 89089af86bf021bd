/**
 * The outbound side of the platform: domain events from every module, written to an outbox in the same transaction
 * as the change they describe, fanned out to live WebSocket/SSE subscribers and to signed webhooks.
 */
package io.callflow.events;
