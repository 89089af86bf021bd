package io.callflow.flow;

import java.time.Instant;

/**
 * A call in progress as the operations API shows it: who called which number, its state ({@code IN_FLOW},
 * {@code QUEUED}, {@code OFFERED}, {@code TALKING}), where its flow is (the BPMN activity it waits in), its queue and
 * agent, when it started, was queued and was answered by the agent, and the node that carries its SIP dialogs.
 */
public record LiveCall(String callId, String caller, String did, String state, String activityId,
        String activityName, String queue, String agent, Instant startedAt, Instant queuedAt, Instant answeredAt,
        String ownerNode) {
}
