package io.callflow.call;

import java.time.Instant;

/** Every prompt queued on the caller's leg has played (or was cut short by barge-in). */
public record PlaybackFinished(CallId callId, Instant at) implements CallEvent {
}
