package io.callflow.media;

import io.callflow.call.CallId;
import io.callflow.call.LegId;

/**
 * The RTP side of call legs as the SIP layer sees it: every SDP Callflow sends comes from here (RFC 3264 offer/answer).
 * The leg created by {@link #answer} is the call's caller leg, which prompts, music and digit collection act on.
 */
public interface MediaEndpoints {

    /** Answers a remote offer with plain RTP: allocates an RTP endpoint and returns it with the local SDP answer. */
    default MediaLeg answer(CallId callId, LegId legId, String remoteOffer) throws NoCommonCodecException {
        return answer(callId, legId, remoteOffer, SrtpPolicy.OFF);
    }

    /**
     * Answers a remote offer under an SRTP policy: {@code REQUIRED} refuses an offer without a usable SDES key,
     * {@code OFF} one that asks for RTP/SAVP (both {@link NoCommonCodecException}, a 488), {@code OPTIONAL} answers
     * SRTP exactly when the offer carries a usable key.
     */
    MediaLeg answer(CallId callId, LegId legId, String remoteOffer, SrtpPolicy srtp) throws NoCommonCodecException;

    /** Allocates an RTP endpoint for an outbound leg and returns it with the local SDP offer (plain RTP). */
    default MediaLeg offer(CallId callId, LegId legId) {
        return offer(callId, legId, SrtpPolicy.OFF);
    }

    /**
     * As above under an SRTP policy: {@code REQUIRED} offers RTP/SAVP with an SDES key, {@code OPTIONAL} RTP/AVP with
     * the key (best effort: SRTP if the answer returns a key), {@code OFF} plain RTP.
     */
    MediaLeg offer(CallId callId, LegId legId, SrtpPolicy srtp);

    /**
     * As {@link #offer}, for the first leg of an outbound call (click-to-call): the leg plays the caller's part, so
     * {@link MediaControl#bridge}, recording and digit collection work on it as on a trunk caller's leg.
     */
    MediaLeg offerAsCaller(CallId callId, LegId legId, SrtpPolicy srtp);

    /** Applies the remote answer to a leg created by {@link #offer}. */
    void answered(MediaLeg leg, String remoteAnswer) throws NoCommonCodecException;

    /** A new offer on an established leg (re-INVITE, e.g. hold or resume): returns the local SDP answer. */
    String reoffer(MediaLeg leg, String remoteOffer) throws NoCommonCodecException;

    /** Releases the leg's ports and stops everything playing or recording on it; safe to call twice. */
    void release(MediaLeg leg);
}
