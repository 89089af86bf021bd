package io.callflow.flow;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * A call ended and its record was closed, however it ended ({@code outcome}: the flow's end event, CANCELLED, or a
 * lost call's reason). {@code queue}, {@code agent} and {@code answeredAt} are null when the call never got that far.
 * Published inside the transaction that closes the record.
 */
public record CallRecordClosed(CallId callId, String outcome, String hangupCause, String caller, String did,
        String queue, String agent, Instant answeredAt, Instant at) {
}
