package io.callflow.flow;

import java.time.Instant;
import java.util.List;

/**
 * Everything that happened to one call, in time order: its flow's activities (source {@code flow}, with start and
 * end), queue events ({@code queue}: ENTERQUEUE, RINGNOANSWER, CONNECT, COMPLETE, ...), offers to agents
 * ({@code agent}: the agent's state changes for the call) and what operators did through the API
 * ({@code operator}: hang-up, transfer, recording, call data; {@code recording}: when the recording started and
 * the spans it was paused).
 */
public record CallTimeline(String callId, boolean live, List<Entry> entries) {

    /**
     * One thing that happened: when (and, for a flow activity, when it ended), its source, its type (the activity's
     * BPMN type, the queue event, the agent's new state, the operator's action), the BPMN element or queue or agent it
     * concerns, and details (the activity's name, the queue event's data, who acted).
     */
    public record Entry(Instant at, Instant endedAt, String source, String type, String activityId, String queue,
            String agent, String detail) {
    }
}
