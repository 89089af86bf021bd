package io.callflow.acd;

import java.time.Instant;

import io.callflow.call.CallId;

/** An agent answered an offered call and the call left its queue (queue log CONNECT); published in that transaction. */
public record CallConnected(CallId callId, String queue, String agentId, long waitedSeconds, Instant at) {
}
