package io.callflow.call;

import java.time.Instant;

/** Digit collection finished with the digits the caller pressed (without the terminator). */
public record DigitsCollected(CallId callId, String digits, Instant at) implements CallEvent {
}
