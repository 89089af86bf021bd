package io.callflow.acd;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * A call joined a queue, or waits there again ({@code again}: after an agent did not answer, with its new priority).
 * Published inside the ACD's transaction, so it rolls back with the queue entry.
 */
public record CallQueued(CallId callId, String queue, String caller, int priority, boolean again, Instant at) {
}
