package io.callflow.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.callflow.call.CallControl.DigitCollection;
import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.DigitsCollected;
import io.callflow.call.LegId;
import io.callflow.call.MediaTimedOut;
import io.callflow.call.NoInput;
import io.callflow.call.PlaybackFinished;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * RTP on Netty: one UDP channel per leg, relaying between bridged legs on the event loop (header rewrite and, when
 * codecs differ, mu-law/A-law transcoding - no blocking work), while a single media ticker thread owns everything
 * timed: prompts and music paced every 20 ms at a fixed rate (no drift), digit collection timeouts and dead-media
 * checks. Events leave through the call's lane.
 */
@Component
class NettyMediaEngine implements MediaEndpoints, MediaControl, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NettyMediaEngine.class);
    private static final int FRAME = 160;

    private final MediaProperties properties;
    private final PromptLibrary prompts;
    private final CallEventPublisher events;
    private final Path recordings;
    private final PortPool ports;
    private final EventLoopGroup loop = new NioEventLoopGroup(1);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "media-ticker");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService disk = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "media-recorder");
        t.setDaemon(true);
        return t;
    });
    private final Map<LegId, RtpLeg> legs = new ConcurrentHashMap<>();
    private final Map<CallId, RtpLeg> callerLegs = new ConcurrentHashMap<>();
    private final Counter badPackets;
    private long ticks;

    NettyMediaEngine(MediaProperties properties, PromptLibrary prompts, CallEventPublisher events,
            MeterRegistry meters, @Value("${callflow.data-dir}") Path dataDir) {
        this.properties = properties;
        this.prompts = prompts;
        this.events = events;
        this.recordings = dataDir.resolve("recordings");
        this.ports = new PortPool(properties.rtpPortMin(), properties.rtpPortMax());
        this.badPackets = Counter.builder("callflow.rtp.dropped").description("RTP packets dropped as invalid")
                .register(meters);
        ticker.scheduleAtFixedRate(this::tick, 20, 20, TimeUnit.MILLISECONDS);
    }

    // ---- MediaEndpoints (called by the SIP layer) ----

    @Override
    public MediaLeg answer(CallId callId, LegId legId, String remoteOffer) throws NoCommonCodecException {
        Sdp offer = parse(remoteOffer);
        int codec = offer.firstCommonCodec();
        if (codec < 0) {
            throw new NoCommonCodecException("the offer has no PCMU or PCMA (payload types " + offer.payloadTypes()
                    + ")");
        }
        RtpLeg leg = open(callId, legId, true);
        applyRemote(leg, offer, codec);
        int dtmf = offer.telephoneEvent();
        leg.telephoneEvent = dtmf < 0 ? 101 : dtmf;
        return new MediaLeg(callId, legId, Sdp.describe(leg.ssrc & 0xffffffL, properties.advertisedAddress(),
                leg.port, List.of(codec), dtmf, Sdp.answerDirection(offer.direction())));
    }

    @Override
    public MediaLeg offer(CallId callId, LegId legId) {
        RtpLeg leg = open(callId, legId, false);
        return new MediaLeg(callId, legId, Sdp.describe(leg.ssrc & 0xffffffL, properties.advertisedAddress(),
                leg.port, List.of(Sdp.PCMU, Sdp.PCMA), 101, "sendrecv"));
    }

    @Override
    public void answered(MediaLeg media, String remoteAnswer) throws NoCommonCodecException {
        RtpLeg leg = legs.get(media.legId());
        if (leg == null) {
            return;
        }
        Sdp answer = parse(remoteAnswer);
        int codec = answer.firstCommonCodec();
        if (codec < 0) {
            throw new NoCommonCodecException("the answer chose no codec we offered: " + answer.payloadTypes());
        }
        applyRemote(leg, answer, codec);
        if (answer.telephoneEvent() >= 0) {
            leg.telephoneEvent = answer.telephoneEvent();
        }
    }

    @Override
    public String reoffer(MediaLeg media, String remoteOffer) throws NoCommonCodecException {
        RtpLeg leg = legs.get(media.legId());
        if (leg == null) {
            throw new NoCommonCodecException("the leg has ended");
        }
        Sdp offer = parse(remoteOffer);
        int codec = offer.firstCommonCodec();
        if (codec < 0) {
            throw new NoCommonCodecException("the new offer has no PCMU or PCMA");
        }
        applyRemote(leg, offer, codec);
        return Sdp.describe(leg.ssrc & 0xffffffL, properties.advertisedAddress(), leg.port, List.of(codec),
                offer.telephoneEvent(), Sdp.answerDirection(offer.direction()));
    }

    @Override
    public void release(MediaLeg media) {
        RtpLeg leg = legs.remove(media.legId());
        if (leg == null) {
            return;
        }
        callerLegs.remove(leg.callId, leg);
        RtpLeg peer = leg.peer;
        if (peer != null) {
            peer.peer = null;
        }
        ticker.execute(() -> stopRecording(leg));
        if (leg.channel != null) {
            leg.channel.close().addListener(f -> ports.give(leg.port));
        } else {
            ports.give(leg.port);
        }
    }

    // ---- MediaControl (called on the call's lane) ----

    @Override
    public void play(CallId callId, List<String> names, String language, boolean bargeIn) {
        RtpLeg leg = callerLegs.get(callId);
        if (leg == null) {
            log.debug("Call {}: no caller media to play {} on", callId, names);
            return;
        }
        List<short[]> audio = names.stream().map(name -> load(callId, language, name)).filter(s -> s != null)
                .toList();
        ticker.execute(() -> {
            leg.music = null;
            audio.forEach(samples -> leg.prompts.add(new RtpLeg.Playback(samples, bargeIn)));
            leg.playbackPending = true;
            if (leg.prompts.isEmpty()) {
                finishPlayback(leg);
            }
        });
    }

    @Override
    public void playMusic(CallId callId, String musicClass) {
        RtpLeg leg = callerLegs.get(callId);
        if (leg == null) {
            return;
        }
        short[] music;
        try {
            music = prompts.samples("moh", musicClass == null ? "default" : musicClass);
        } catch (IllegalArgumentException e) {
            log.error("Call {}: music on hold unavailable: {}", callId, e.getMessage());
            return;
        }
        ticker.execute(() -> {
            leg.music = music;
            leg.musicPosition = 0;
        });
    }

    @Override
    public void collectDigits(CallId callId, DigitCollection spec) {
        RtpLeg leg = callerLegs.get(callId);
        if (leg == null) {
            return;
        }
        ticker.execute(() -> {
            leg.collection = spec;
            leg.digits.setLength(0);
            leg.collectionStarted = false;
            String buffered = leg.typeAhead.toString();
            leg.typeAhead.setLength(0);
            for (char digit : buffered.toCharArray()) {
                onDigit(leg, digit);
            }
        });
    }

    @Override
    public void digitReceived(CallId callId, LegId legId, char digit) {
        RtpLeg leg = legs.get(legId);
        if (leg != null) {
            ticker.execute(() -> onDigit(leg, digit));
        }
    }

    @Override
    public void bridge(CallId callId, LegId otherLeg) {
        RtpLeg caller = callerLegs.get(callId);
        RtpLeg other = legs.get(otherLeg);
        if (caller == null || other == null) {
            log.warn("Call {}: cannot bridge, a leg has ended", callId);
            return;
        }
        ticker.execute(() -> {
            caller.prompts.clear();
            caller.music = null;
            caller.collection = null;
            caller.markTalkspurt();
            other.markTalkspurt();
            caller.peer = other;
            other.peer = caller;
        });
    }

    @Override
    public void startRecording(CallId callId) {
        RtpLeg caller = callerLegs.get(callId);
        if (caller == null) {
            return;
        }
        ticker.execute(() -> {
            if (caller.recorder != null) {
                return;
            }
            try {
                caller.recorder = new Recorder(recordings.resolve(callId.value() + ".wav"));
                log.info("Call {}: recording to {}", callId, caller.recorder.file());
            } catch (IOException e) {
                log.error("Call {}: cannot record to {}: {}", callId, recordings, e.toString());
            }
        });
    }

    @Override
    public void stopRecording(CallId callId) {
        RtpLeg caller = callerLegs.get(callId);
        if (caller != null) {
            ticker.execute(() -> stopRecording(caller));
        }
    }

    /** Legs open now, for leak checks and metrics. */
    int openLegs() {
        return legs.size();
    }

    int portsInUse() {
        return ports.inUse();
    }

    // ---- internals ----

    private RtpLeg open(CallId callId, LegId legId, boolean callerLeg) {
        int port = ports.take();
        RtpLeg leg = new RtpLeg(callId, legId, port, callerLeg);
        try {
            leg.channel = new Bootstrap().group(loop).channel(NioDatagramChannel.class)
                    .handler(new Receiver(leg))
                    .bind(new InetSocketAddress(properties.bindAddress(), port)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            ports.give(port);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot open RTP port " + port + ": " + e, e);
        }
        legs.put(legId, leg);
        if (callerLeg) {
            callerLegs.put(callId, leg);
        }
        return leg;
    }

    private static void applyRemote(RtpLeg leg, Sdp sdp, int codec) {
        leg.codec = codec;
        if (!leg.latched) {
            leg.remote = new InetSocketAddress(sdp.address(), sdp.port());
        }
    }

    private static Sdp parse(String sdp) throws NoCommonCodecException {
        try {
            return Sdp.parse(sdp);
        } catch (RuntimeException e) {
            throw new NoCommonCodecException("unreadable SDP: " + e.getMessage());
        }
    }

    private short[] load(CallId callId, String language, String name) {
        try {
            return prompts.samples(language == null ? "en" : language, name);
        } catch (IllegalArgumentException e) {
            log.error("Call {}: {}; skipping it", callId, e.getMessage());
            return null;
        }
    }

    /** Runs on the ticker every 20 ms. */
    private void tick() {
        try {
            ticks++;
            long now = System.nanoTime();
            for (RtpLeg leg : legs.values()) {
                if (leg.callerLeg) {
                    sendFrame(leg);
                    checkCollection(leg, now);
                }
                if (ticks % 50 == 0) {
                    checkDeadMedia(leg, now);
                }
            }
        } catch (RuntimeException e) {
            log.error("Media ticker: {}", e.toString(), e);
        }
    }

    private void sendFrame(RtpLeg leg) {
        if (leg.peer != null || leg.remote == null) {
            return;
        }
        short[] frame = null;
        RtpLeg.Playback current = leg.prompts.peek();
        if (current != null) {
            frame = new short[FRAME];
            int n = Math.min(FRAME, current.samples.length - current.position);
            System.arraycopy(current.samples, current.position, frame, 0, n);
            current.position += n;
            if (current.position >= current.samples.length) {
                leg.prompts.poll();
                if (leg.prompts.isEmpty()) {
                    finishPlayback(leg);
                }
            }
        } else if (leg.music != null && leg.music.length > 0) {
            frame = new short[FRAME];
            for (int i = 0; i < FRAME; i++) {
                frame[i] = leg.music[leg.musicPosition];
                leg.musicPosition = (leg.musicPosition + 1) % leg.music.length;
            }
        }
        if (frame != null) {
            send(leg, frame);
        }
    }

    private void finishPlayback(RtpLeg leg) {
        if (leg.playbackPending) {
            leg.playbackPending = false;
            events.publish(new PlaybackFinished(leg.callId, Instant.now()));
        }
        if (leg.collection != null && !leg.collectionStarted) {
            startCollectionClock(leg);
        }
    }

    private void startCollectionClock(RtpLeg leg) {
        leg.collectionStarted = true;
        leg.collectionDeadlineNanos = System.nanoTime() + leg.collection.firstDigitTimeout().toNanos();
    }

    private void checkCollection(RtpLeg leg, long now) {
        DigitCollection spec = leg.collection;
        if (spec == null) {
            return;
        }
        if (!leg.collectionStarted && leg.prompts.isEmpty()) {
            startCollectionClock(leg);
        }
        if (leg.collectionStarted && now >= leg.collectionDeadlineNanos) {
            finishCollection(leg);
        }
    }

    private void onDigit(RtpLeg leg, char digit) {
        RtpLeg caller = leg.callerLeg ? leg : callerLegs.get(leg.callId);
        if (caller == null) {
            return;
        }
        // Barge-in: the caller knows what they want; drop the prompts that may be interrupted, playing or queued.
        if (caller.prompts.removeIf(playback -> playback.bargeIn) && caller.prompts.isEmpty()) {
            finishPlayback(caller);
        }
        DigitCollection spec = caller.collection;
        if (spec == null) {
            if (caller.typeAhead.length() < 16) {
                caller.typeAhead.append(digit);
            }
            return;
        }
        if (spec.terminator() != null && spec.terminator() == digit) {
            finishCollection(caller);
            return;
        }
        caller.digits.append(digit);
        if (caller.digits.length() >= spec.maxDigits()) {
            finishCollection(caller);
        } else {
            caller.collectionStarted = true;
            caller.collectionDeadlineNanos = System.nanoTime() + spec.interDigitTimeout().toNanos();
        }
    }

    private void finishCollection(RtpLeg leg) {
        String digits = leg.digits.toString();
        leg.collection = null;
        leg.digits.setLength(0);
        events.publish(digits.isEmpty() ? new NoInput(leg.callId, Instant.now())
                : new DigitsCollected(leg.callId, digits, Instant.now()));
    }

    private void checkDeadMedia(RtpLeg leg, long now) {
        long last = leg.lastReceivedNanos;
        if (last != 0 && !leg.timedOut && now - last > properties.mediaTimeout().toNanos()) {
            leg.timedOut = true;
            log.warn("Call {}: no RTP on leg {} for {}", leg.callId, leg.legId, properties.mediaTimeout());
            events.publish(new MediaTimedOut(leg.callId, leg.legId, Instant.now()));
        }
    }

    private void stopRecording(RtpLeg caller) {
        Recorder recorder = caller.recorder;
        caller.recorder = null;
        if (recorder != null) {
            disk.execute(() -> {
                try {
                    recorder.close();
                } catch (IOException e) {
                    log.error("Call {}: closing recording {} failed: {}", caller.callId, recorder.file(), e.toString());
                }
            });
        }
    }

    /** Sends one 20 ms frame of samples on the leg, in its codec. */
    private void send(RtpLeg leg, short[] samples) {
        byte[] payload = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            payload[i] = G711.encode(leg.codec, samples[i]);
        }
        write(leg, leg.codec, payload, samples.length);
    }

    private void write(RtpLeg leg, int payloadType, byte[] payload, int samples) {
        InetSocketAddress remote = leg.remote;
        var channel = leg.channel;
        if (remote == null || channel == null || !channel.isActive()) {
            return;
        }
        long[] header = leg.nextHeader(samples);
        ByteBuf packet = Unpooled.buffer(12 + payload.length);
        packet.writeByte(0x80);
        packet.writeByte((int) (header[2] << 7) | payloadType);
        packet.writeShort((int) header[0]);
        packet.writeInt((int) header[1]);
        packet.writeInt(leg.ssrc);
        packet.writeBytes(payload);
        channel.writeAndFlush(new DatagramPacket(packet, remote));
    }

    private void record(RtpLeg from, short[] samples) {
        RtpLeg caller = from.callerLeg ? from : from.peer;
        Recorder recorder = caller == null ? null : caller.recorder;
        if (recorder != null) {
            int channel = from.callerLeg ? 0 : 1;
            disk.execute(() -> {
                try {
                    recorder.write(channel, samples);
                } catch (IOException e) {
                    log.warn("Call {}: recording write failed: {}", from.callId, e.toString());
                }
            });
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        legs.values().forEach(leg -> release(new MediaLeg(leg.callId, leg.legId, "")));
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        disk.shutdown();
    }

    /** Receives a leg's packets on the event loop: validate, latch, DTMF, relay; nothing here blocks. */
    private final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {

        private final RtpLeg leg;

        Receiver(RtpLeg leg) {
            this.leg = leg;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
            ByteBuf in = datagram.content();
            int length = in.readableBytes();
            // RFC 3550 section 5.1: version 2, at least the 12-byte fixed header plus any CSRCs.
            if (length < 12 || (in.getByte(0) & 0xc0) != 0x80) {
                badPackets.increment();
                return;
            }
            int csrcs = in.getByte(0) & 0x0f;
            int headerLength = 12 + 4 * csrcs;
            if (length < headerLength) {
                badPackets.increment();
                return;
            }
            int payloadType = in.getByte(1) & 0x7f;
            if (payloadType != leg.codec && payloadType != leg.telephoneEvent && payloadType != Sdp.PCMU
                    && payloadType != Sdp.PCMA) {
                badPackets.increment();
                return;
            }
            if (!leg.latched) {
                // Symmetric RTP: send to where the remote really sends from (NAT), once it has sent something valid.
                leg.remote = datagram.sender();
                leg.latched = true;
            } else if (!datagram.sender().equals(leg.remote)) {
                badPackets.increment();
                return;
            }
            leg.lastReceivedNanos = System.nanoTime();
            int offset = headerLength;
            int payloadLength = length - headerLength;
            if (payloadType == leg.telephoneEvent) {
                event(in, offset, payloadLength);
                return;
            }
            byte[] payload = new byte[payloadLength];
            in.getBytes(offset, payload);
            RtpLeg peer = leg.peer;
            boolean recording = (leg.callerLeg ? leg.recorder : peer == null ? null : peer.recorder) != null;
            if (peer == null && !recording) {
                return;
            }
            short[] samples = new short[payloadLength];
            for (int i = 0; i < payloadLength; i++) {
                samples[i] = G711.decode(payloadType, payload[i]);
            }
            if (recording) {
                record(leg, samples);
            }
            if (peer != null) {
                byte[] out = payload;
                if (peer.codec != payloadType) {
                    out = new byte[payloadLength];
                    for (int i = 0; i < payloadLength; i++) {
                        out[i] = G711.encode(peer.codec, samples[i]);
                    }
                }
                write(peer, peer.codec, out, payloadLength);
            }
        }

        /** RFC 4733 section 2.3: event, E bit, volume, duration; the end packet is sent three times. */
        private void event(ByteBuf in, int offset, int length) {
            if (length < 4) {
                badPackets.increment();
                return;
            }
            int event = in.getByte(offset) & 0xff;
            boolean end = (in.getByte(offset + 1) & 0x80) != 0;
            long timestamp = in.getUnsignedInt(4);
            if (!end || timestamp == leg.lastEventTimestamp || event > 15) {
                return;
            }
            leg.lastEventTimestamp = timestamp;
            char digit = "0123456789*#ABCD".charAt(event);
            ticker.execute(() -> onDigit(leg, digit));
        }
    }

}
