package io.callflow.call;

import java.time.Instant;

/** A caller's INVITE arrived on a trunk for a dialled number (DID) that maps to a flow. */
public record CallArrived(CallId callId, LegId callerLeg, String caller, String did, String trunk, String flowKey,
        Instant at) implements CallEvent {
}
