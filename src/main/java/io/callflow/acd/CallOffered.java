package io.callflow.acd;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * An agent was reserved for a waiting call, which is now offered to it (its phone is about to ring). Published inside
 * the reservation's transaction; {@link AgentReserved} follows after commit for the flow.
 */
public record CallOffered(CallId callId, String queue, String agentId, String sipUser, long waitedSeconds,
        Instant at) {
}
