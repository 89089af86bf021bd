package io.callflow.media;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;

import io.callflow.call.CallId;
import io.callflow.call.LegId;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * One RTP endpoint and what it is doing. Fields marked "ticker" belong to the media ticker thread; the rest are read
 * by the Netty event loop and written with care (volatile, queues, or under the leg's lock for the RTP header).
 */
final class RtpLeg {

    final CallId callId;
    final LegId legId;
    final int port;
    final boolean callerLeg;
    final int ssrc = ThreadLocalRandom.current().nextInt();
    volatile Channel channel;
    volatile InetSocketAddress remote;
    /** Where the last SDP said to send; a re-INVITE naming another address ends the latch. */
    volatile InetSocketAddress signalledRemote;
    volatile boolean latched;
    volatile int codec = Sdp.PCMU;
    volatile int telephoneEvent = 101;
    volatile RtpLeg peer;
    volatile long lastReceivedNanos;
    volatile boolean timedOut;
    volatile Recorder recorder;
    /** A paused recording writes silence (the operations API's pause, e.g. while a card number is read out). */
    volatile boolean recordingPaused;

    /** A consent announcement is playing: the recording starts, and a bridge asked for meanwhile happens, after it. */
    boolean consentPlaying;
    RtpLeg bridgeAfterConsent;
    volatile Mix mix;
    /** Set once at set-up, then used only on the leg's event loop. */
    volatile InbandDtmfDetector inbandDtmf;
    /** SRTP keys once negotiated (SDES); null is plain RTP. */
    volatile LegSrtp srtp;
    /** The key we offered on an outbound leg, until the answer says whether SRTP is on. */
    volatile SdesCrypto offeredCrypto;
    volatile SrtpPolicy offeredPolicy = SrtpPolicy.OFF;
    /** Decoded frames this leg received, for the recorder (caller and its peer) and the mixer. */
    final SampleBuffer captured = new SampleBuffer();
    final SampleBuffer mixInput = new SampleBuffer();

    private int sequence = ThreadLocalRandom.current().nextInt(0x10000);
    private int timestamp = ThreadLocalRandom.current().nextInt();
    private boolean marker = true;
    private long lastSentNanos;

    // ticker
    final Deque<Playback> prompts = new ArrayDeque<>();
    short[] music;
    int musicPosition;
    boolean playbackPending;
    DigitCollector collector;
    final StringBuilder typeAhead = new StringBuilder();
    /** In a mix: the last frame this leg sent into it and the last frame it heard from it (for its recording). */
    short[] mixSent;
    short[] mixHeard;

    // Hold (RFC 3264 section 8.4 from a phone, or the operations API): flags written off the ticker, read by the
    // ticker and the event loop; see HoldAudio.
    /** This leg's phone holds (re-INVITE with sendonly, inactive or c=0.0.0.0): it is sent nothing. */
    volatile boolean phoneHold;
    /** The operations API holds the call on this (the agent's) side: it is sent silence. */
    volatile boolean apiHold;
    /** Music on hold for this leg, loaded when a hold of its call begins. */
    volatile short[] holdMusic;
    // ticker
    int holdMusicPosition;
    /** The music frame sent to this leg in the current 20 ms frame (for the recording), or null. */
    short[] holdFrame;

    RtpLeg(CallId callId, LegId legId, int port, boolean callerLeg) {
        this.callId = callId;
        this.legId = legId;
        this.port = port;
        this.callerLeg = callerLeg;
    }

    /**
     * The next outgoing packet of this leg's one stream: whatever feeds it (prompt, music, relay, mixer), SSRC,
     * sequence and timestamp run on (RFC 3550 section 5.1), so the far end sees one continuous stream. The first
     * packet after a source switch carries the marker bit, and its timestamp moves on by the time that really
     * passed (in whole frames), since the timestamp reflects the sampling instant.
     */
    synchronized RtpPacket next(int payloadType, ByteBuf payload, int samples, long nowNanos) {
        if (marker && lastSentNanos != 0) {
            long elapsed = (nowNanos - lastSentNanos) / 125_000; // 8,000 samples a second
            if (elapsed > samples) {
                timestamp += (int) ((elapsed - samples) / samples * samples);
            }
        }
        RtpPacket packet = new RtpPacket(remote, marker, payloadType, sequence & 0xffff, timestamp & 0xffffffffL, ssrc,
                payload);
        sequence++;
        timestamp += samples;
        marker = false;
        lastSentNanos = nowNanos;
        return packet;
    }

    /** Whether this leg's side holds the call, by its phone or through the API. */
    boolean holds() {
        return phoneHold || apiHold;
    }

    synchronized void markTalkspurt() {
        marker = true;
    }

    /** A prompt being played: its samples, how far it got, and whether a digit cuts it short. */
    static final class Playback {
        final short[] samples;
        final boolean bargeIn;
        int position;

        Playback(short[] samples, boolean bargeIn) {
            this.samples = samples;
            this.bargeIn = bargeIn;
        }
    }
}
