package io.callflow.media;

import io.callflow.call.CallId;
import io.callflow.call.LegId;

/** An allocated RTP endpoint for one call leg, with the SDP Callflow sends for it. */
public record MediaLeg(CallId callId, LegId legId, String localSdp) {
}
