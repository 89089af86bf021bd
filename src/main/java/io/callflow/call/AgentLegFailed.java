package io.callflow.call;

import java.time.Instant;

/** A leg towards an agent ended without being answered. */
public record AgentLegFailed(CallId callId, LegId legId, String agent, AgentLegOutcome outcome, Instant at)
        implements CallEvent {
}
