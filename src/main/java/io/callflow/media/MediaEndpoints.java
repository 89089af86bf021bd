package io.callflow.media;

import io.callflow.call.CallId;
import io.callflow.call.LegId;

/**
 * The RTP side of call legs as the SIP layer sees it: every SDP Callflow sends comes from here (RFC 3264 offer/answer).
 * The leg created by {@link #answer} is the call's caller leg, which prompts, music and digit collection act on.
 */
public interface MediaEndpoints {

    /** Answers a remote offer: allocates an RTP endpoint and returns it with the local SDP answer. */
    MediaLeg answer(CallId callId, LegId legId, String remoteOffer) throws NoCommonCodecException;

    /** Allocates an RTP endpoint for an outbound leg and returns it with the local SDP offer. */
    MediaLeg offer(CallId callId, LegId legId);

    /** Applies the remote answer to a leg created by {@link #offer}. */
    void answered(MediaLeg leg, String remoteAnswer) throws NoCommonCodecException;

    /** A new offer on an established leg (re-INVITE, e.g. hold or resume): returns the local SDP answer. */
    String reoffer(MediaLeg leg, String remoteOffer) throws NoCommonCodecException;

    /** Releases the leg's ports and stops everything playing or recording on it; safe to call twice. */
    void release(MediaLeg leg);
}
