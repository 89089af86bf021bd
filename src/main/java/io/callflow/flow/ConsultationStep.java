package io.callflow.flow;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * A step of an agent's consultation (attended or warm transfer) of a connected call: {@code step} is
 * {@link #STARTED}, {@link #COMPLETED} or {@link #CANCELLED}; {@code agent} is the agent who consulted,
 * {@code target} what it asked for ({@code agent:bob}, {@code queue:sales}, {@code number:+4930...}),
 * {@code targetAgent} the agent reached (null for a number), {@code how} {@code attended} or {@code warm} (a three-way
 * conference first), {@code reason} why a consultation was cancelled. Published inside the step's transaction.
 */
public record ConsultationStep(CallId callId, String step, String queue, String agent, String target,
        String targetAgent, String how, String reason, Instant at) {

    public static final String STARTED = "STARTED";
    public static final String COMPLETED = "COMPLETED";
    public static final String CANCELLED = "CANCELLED";
}
