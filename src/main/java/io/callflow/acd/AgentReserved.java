package io.callflow.acd;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * An agent was reserved for a waiting call (one conditional UPDATE, so never twice): the flow now rings the agent's
 * SIP user. Published after the reservation commits.
 */
public record AgentReserved(CallId callId, String queue, String agentId, String sipUser, Instant at) {
}
