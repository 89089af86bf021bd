package io.callflow.flow;

import java.time.Instant;
import java.util.List;

/**
 * The way a call went through its flow, from Camunda's history: the flow's definition (to draw it) and every activity
 * the call passed, in order, with its times; for live and finished calls alike.
 */
public record CallPath(String callId, String processInstanceId, String processDefinitionId, String flow,
        Instant startedAt, Instant endedAt, List<Step> steps) {

    /** One activity the call passed: its BPMN element id and name, type, times, and whether it was interrupted. */
    public record Step(String activityId, String name, String type, Instant startedAt, Instant endedAt,
            Long durationMillis, boolean canceled) {
    }
}
