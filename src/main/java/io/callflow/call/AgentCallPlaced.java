package io.callflow.call;

import java.time.Instant;

/**
 * An agent's phone placed a call (its INVITE authenticated and routed by the agent dial plan): the call's caller leg
 * is the agent's phone, still unanswered (180 sent), with the route it is to take.
 */
public record AgentCallPlaced(CallId callId, LegId callerLeg, String sipUser, String dialled, AgentRoute route,
        Instant at) implements CallEvent {
}
