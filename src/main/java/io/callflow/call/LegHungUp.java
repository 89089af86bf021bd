package io.callflow.call;

import java.time.Instant;

/** A leg ended; when it is the caller's leg the whole call is over. */
public record LegHungUp(CallId callId, LegId legId, HangupCause cause, Instant at) implements CallEvent {
}
