package io.callflow.acd;

import java.time.Instant;

/** A callback as the API shows it: who is called back, from which queue, its original place and how far it got. */
public record CallbackView(String id, String callId, String queue, String number, Instant enteredAt,
        Instant requestedAt, Instant expiresAt, String state, int attempts, String lastOutcome, String agentId,
        Instant endedAt) {
}
