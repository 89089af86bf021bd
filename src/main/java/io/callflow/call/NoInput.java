package io.callflow.call;

import java.time.Instant;

/** Digit collection ended without a single digit before the first-digit timeout. */
public record NoInput(CallId callId, Instant at) implements CallEvent {
}
