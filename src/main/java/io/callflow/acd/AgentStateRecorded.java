package io.callflow.acd;

import java.time.Instant;

/**
 * An agent's state change was written (published inside the transaction that writes it, so it rolls back with the
 * change): for the event outbox. Code that acts on a change listens to {@link AgentStateChanged}, published after
 * commit. {@code callId} is the call the agent is busy with, if any.
 */
public record AgentStateRecorded(String agentId, AgentState from, AgentState to, String reason, String callId,
        Instant at) {
}
