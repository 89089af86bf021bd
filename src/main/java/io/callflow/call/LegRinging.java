package io.callflow.call;

import java.time.Instant;

/** An agent's phone is ringing (its first provisional response with a dialog, 180 or 183), published once per leg. */
public record LegRinging(CallId callId, LegId legId, String party, int status, Instant at) implements CallEvent {
}
