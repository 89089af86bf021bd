package io.callflow.call;

import java.time.Instant;

/**
 * A key pressed on a leg other than the caller's (RFC 4733 telephone-event or in-band): an agent's or a supervisor's
 * phone. The caller's keys go to digit collection ({@link DigitsCollected}); these are for features such as a
 * supervisor switching between listen, whisper and barge.
 */
public record LegDigitPressed(CallId callId, LegId legId, char digit, Instant at) implements CallEvent {
}
