package io.callflow.flow;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * A call arrived and its flow started: its record was opened. Published inside the engine's transaction that starts
 * the flow, so it rolls back with the record.
 */
public record CallRecordOpened(CallId callId, String caller, String did, String trunk, String flowKey, Instant at) {
}
