package io.callflow.acd;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * The ACD took a waiting call out of its queue on its own (the last agent logged out of a leave-when-empty queue);
 * the call's flow moves it on, e.g. to the next overflow queue. Published after the change committed.
 */
public record QueueLeft(CallId callId, String queue, String reason, Instant at) {
}
