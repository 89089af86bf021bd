package io.callflow.acd;

import java.time.Duration;

/** The outcome of asking to join a queue. */
public sealed interface EnqueueResult {

    /** The call waits at {@code position} (1 = next) with an estimated wait. */
    record Queued(String queue, int position, Duration estimatedWait) implements EnqueueResult {
    }

    /**
     * An agent was free and is reserved for the call already (only when the request asked to be offered at once); no
     * {@link AgentReserved} follows, the caller offers the call to the agent.
     */
    record Reserved(String queue, String agentId, String sipUser) implements EnqueueResult {
    }

    /** The queue refuses the call: closed (business hours), unknown, or no qualified agent logged in. */
    record Rejected(String queue, String reason) implements EnqueueResult {
    }
}
