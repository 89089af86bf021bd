package io.callflow.acd;

import java.time.Instant;

/** An agent's state changed (published after the change committed), for wallboards and the agent console. */
public record AgentStateChanged(String agentId, AgentState from, AgentState to, String reason, Instant at) {
}
