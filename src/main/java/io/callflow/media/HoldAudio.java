package io.callflow.media;

/**
 * What a held bridge sends and records. A side holds by its phone (RFC 3264 section 8.4: a re-INVITE with
 * a=sendonly or a=inactive, or RFC 2543's c=0.0.0.0) or through the operations API; while either side holds, nothing
 * is relayed either way, the other side hears music on hold, a phone that holds is sent nothing (its answer said
 * recvonly or inactive) and an agent held through the API is sent silence, so its phone's RTP timer never fires.
 * The recording keeps running: the held party's music in the holder's channel, silence in the other.
 */
final class HoldAudio {

    private static final short[] SILENCE = new short[NettyMediaEngine.FRAME];

    private HoldAudio() {
    }

    /** Whether the bridge between {@code leg} and {@code peer} is held. */
    static boolean held(RtpLeg leg, RtpLeg peer) {
        return leg.holds() || (peer != null && peer.holds());
    }

    /**
     * Whether an offer on an established leg puts its sender on hold. RFC 6337 section 5.3: sendonly and inactive
     * both mean hold; RFC 3264 section 8.4 keeps c=0.0.0.0 (RFC 2543) for old phones.
     */
    static boolean isHold(Sdp offer) {
        return offer.direction().equals("sendonly") || offer.direction().equals("inactive") || isNullAddress(offer);
    }

    /** An RFC 2543 hold address: not where to send, so the leg keeps sending (nothing) to where it sent before. */
    static boolean isNullAddress(Sdp offer) {
        return offer.address().equals("0.0.0.0") || offer.address().equals("::");
    }

    /** The direction to answer: a c=0.0.0.0 hold saying sendrecv is answered as a sendonly hold (recvonly). */
    static String offeredDirection(Sdp offer) {
        return isNullAddress(offer) && offer.direction().equals("sendrecv") ? "sendonly" : offer.direction();
    }

    /**
     * The frame the ticker sends {@code leg} now because of a hold, or null (not held, or its own phone holds).
     * Runs on the ticker; remembers a music frame for the recording.
     */
    static short[] frameFor(RtpLeg leg) {
        leg.holdFrame = null;
        RtpLeg peer = leg.peer;
        if (peer == null || !held(leg, peer) || leg.phoneHold) {
            return null;
        }
        short[] music = leg.holdMusic;
        if (leg.apiHold || !peer.holds() || music == null || music.length == 0) {
            return SILENCE;
        }
        short[] frame = new short[NettyMediaEngine.FRAME];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = music[leg.holdMusicPosition];
            leg.holdMusicPosition = (leg.holdMusicPosition + 1) % music.length;
        }
        leg.holdFrame = frame;
        return frame;
    }

    /** What the recording keeps, during a hold, in the channel of the side opposite {@code hearing}. */
    static short[] recorded(RtpLeg hearing) {
        return hearing == null ? null : hearing.holdFrame;
    }
}
