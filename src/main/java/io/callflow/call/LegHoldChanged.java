package io.callflow.call;

import java.time.Instant;

/**
 * A phone put its side of the call on hold or took it off hold by a re-INVITE (RFC 3264 section 8.4: a=sendonly,
 * a=inactive, or the old RFC 2543 c=0.0.0.0); {@code callerSide} tells whether it was the caller's leg or an agent's.
 */
public record LegHoldChanged(CallId callId, LegId legId, boolean held, boolean callerSide, Instant at)
        implements CallEvent {
}
