package io.callflow.media;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;

import io.callflow.call.CallControl.DigitCollection;
import io.callflow.call.CallId;
import io.callflow.call.LegId;
import io.netty.channel.Channel;

/**
 * One RTP endpoint and what it is doing. Fields marked "ticker" belong to the media ticker thread; the rest are read
 * by the Netty event loop and written with care (volatile, or under the leg's lock for the RTP header counters).
 */
final class RtpLeg {

    final CallId callId;
    final LegId legId;
    final int port;
    final boolean callerLeg;
    final int ssrc = ThreadLocalRandom.current().nextInt();
    volatile Channel channel;
    volatile InetSocketAddress remote;
    volatile boolean latched;
    volatile int codec = Sdp.PCMU;
    volatile int telephoneEvent = 101;
    volatile RtpLeg peer;
    volatile long lastReceivedNanos;
    volatile boolean timedOut;
    /** RFC 4733: the timestamp of the last event reported, so retransmitted end packets count once. */
    volatile long lastEventTimestamp = -1;
    private int sequence = ThreadLocalRandom.current().nextInt(0x10000);
    private int timestamp = ThreadLocalRandom.current().nextInt();
    private boolean marker = true;

    // ticker
    final Deque<Playback> prompts = new ArrayDeque<>();
    short[] music;
    int musicPosition;
    boolean playbackPending;
    DigitCollection collection;
    StringBuilder digits = new StringBuilder();
    long collectionDeadlineNanos;
    boolean collectionStarted;
    final StringBuilder typeAhead = new StringBuilder();
    Recorder recorder;

    RtpLeg(CallId callId, LegId legId, int port, boolean callerLeg) {
        this.callId = callId;
        this.legId = legId;
        this.port = port;
        this.callerLeg = callerLeg;
    }

    /** The next RTP header fields for a 20 ms frame; a source switch keeps SSRC, sequence and timestamp running. */
    synchronized long[] nextHeader(int samples) {
        long[] header = {sequence & 0xffff, timestamp & 0xffffffffL, marker ? 1 : 0};
        sequence++;
        timestamp += samples;
        marker = false;
        return header;
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
