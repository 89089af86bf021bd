package io.callflow.call;

import java.time.Instant;

/** No RTP arrived on a leg for the configured time. */
public record MediaTimedOut(CallId callId, LegId legId, Instant at) implements CallEvent {
}
