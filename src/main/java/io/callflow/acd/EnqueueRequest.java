package io.callflow.acd;

import java.util.Map;

import io.callflow.call.CallId;

/**
 * A call asking to wait in a queue for an agent with the required skills (minimum proficiency per skill). With
 * {@code offerAtOnce}, a call that finds nobody waiting ahead of it and a qualified agent free is given that agent
 * immediately ({@link EnqueueResult.Reserved}) instead of waiting for {@link AgentReserved}; the flow must then offer
 * the call to the agent itself.
 */
public record EnqueueRequest(CallId callId, String queue, int priority, Map<String, Integer> requiredSkills,
        String caller, boolean offerAtOnce) {

    /** A request that always waits for {@link AgentReserved}. */
    public EnqueueRequest(CallId callId, String queue, int priority, Map<String, Integer> requiredSkills,
            String caller) {
        this(callId, queue, priority, requiredSkills, caller, false);
    }
}
