package io.callflow.call;

import java.time.Instant;

/** A leg was answered: the caller's leg by us, or an agent's leg by the agent's phone. */
public record LegAnswered(CallId callId, LegId legId, String party, Instant at) implements CallEvent {
}
