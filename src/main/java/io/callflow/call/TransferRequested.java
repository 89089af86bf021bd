package io.callflow.call;

import java.time.Instant;

/** A party asked to transfer the call elsewhere (SIP REFER, RFC 3515). */
public record TransferRequested(CallId callId, LegId fromLeg, String target, Instant at) implements CallEvent {
}
