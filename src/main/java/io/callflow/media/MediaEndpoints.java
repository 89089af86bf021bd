package io.callflow.media;

import io.callflow.call.CallId;

/**
 * The RTP side of call legs as the SIP layer sees it: every SDP Callflow sends comes from here (RFC 3264 offer/answer).
 */
public interface MediaEndpoints {

    /** Answers a remote offer: allocates an RTP endpoint and returns it with the local SDP answer. */
    MediaLeg answer(CallId callId, String remoteOffer) throws NoCommonCodecException;

    /** Allocates an RTP endpoint for an outbound leg and returns it with the local SDP offer. */
    MediaLeg offer(CallId callId);

    /** Applies the remote answer to a leg created by {@link #offer(CallId)}. */
    void answered(MediaLeg leg, String remoteAnswer) throws NoCommonCodecException;

    /** Releases the leg's ports and stops everything playing or recording on it; safe to call twice. */
    void release(MediaLeg leg);
}
