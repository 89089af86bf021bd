package io.callflow.flow;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * A call arrived and its flow started, or a click-to-call began ({@code outbound}, no flow): its record was opened.
 * Published inside the transaction that opens the record, so it rolls back with the record.
 */
public record CallRecordOpened(CallId callId, String caller, String did, String trunk, String flowKey, Instant at,
        boolean outbound) {
}
