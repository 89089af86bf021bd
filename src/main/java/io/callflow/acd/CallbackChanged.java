package io.callflow.acd;

import java.time.Instant;

/**
 * A callback moved on: {@code requested} (it took a waiting caller's place), {@code attempted} (an attempt ended with
 * {@code outcome}), {@code completed}, {@code failed} (retries used up), {@code expired} (its window passed) or
 * {@code cancelled}; {@code callId} is the call whose caller asked for it. Published inside the ACD's transaction, so it rolls back with the change.
 */
public record CallbackChanged(String callbackId, String callId, String queue, String number, String change,
        int attempts, String outcome, String agentId, Instant at) {
}
