package io.callflow.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.callflow.call.CallControl.DigitCollection;
import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.DigitsCollected;
import io.callflow.call.HoldOutcome;
import io.callflow.call.LegDigitPressed;
import io.callflow.call.LegHoldChanged;
import io.callflow.call.LegId;
import io.callflow.call.MediaTimedOut;
import io.callflow.call.MixRole;
import io.callflow.call.NoInput;
import io.callflow.call.PlaybackFinished;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * RTP on Netty: one UDP channel per leg, decoded and relayed on the event loops (header rewrite and, when codecs
 * differ, mu-law/A-law transcoding - no blocking work), while a single media ticker thread owns everything timed:
 * prompts, music, mixes and recordings paced every 20 ms on an absolute schedule (no drift), digit collection
 * timeouts and dead-media checks. Events leave through the call's lane.
 */
@Component
class NettyMediaEngine implements MediaEndpoints, MediaControl, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NettyMediaEngine.class);
    static final int FRAME = 160;
    private static final int BIND_ATTEMPTS = 20;
    /** The music class (prompts/moh/<class>.wav) a held party hears. */
    static final String HOLD_MUSIC_CLASS = "default";

    private final MediaProperties properties;
    private final PromptLibrary prompts;
    private final CallEventPublisher events;
    private final Path recordings;
    private final PortPool ports;
    private final RtpDrops drops;
    private final RtpDecoder decoder;
    private final RtpEncoder encoder = new RtpEncoder();
    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private final EventLoopGroup loops;
    private final ChannelFactory<? extends DatagramChannel> channels;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("media-ticker"));
    private final ExecutorService disk = Executors.newSingleThreadExecutor(daemon("media-recorder"));
    private final FramePacer pacer = new FramePacer(System::nanoTime);
    private final Map<LegId, RtpLeg> legs = new ConcurrentHashMap<>();
    private final Map<CallId, RtpLeg> callerLegs = new ConcurrentHashMap<>();
    private final Mixing mixing = new Mixing(this::send);
    private final CallRecording recording;
    /** The event loop of each call's legs: relaying within one loop needs no hand-over between threads. */
    private final Map<CallId, CallLoop> callLoops = new ConcurrentHashMap<>();
    private long frames;

    NettyMediaEngine(MediaProperties properties, PromptLibrary prompts, CallEventPublisher events,
            MeterRegistry meters, @Value("${callflow.data-dir}") Path dataDir) {
        this.properties = properties;
        this.prompts = prompts;
        this.events = events;
        this.recordings = RecordingFiles.directory(properties, dataDir);
        this.recording = new CallRecording(properties, recordings, disk);
        this.ports = new PortPool(properties.rtpPortMin(), properties.rtpPortMax());
        this.drops = new RtpDrops(meters);
        this.decoder = new RtpDecoder(drops);
        int threads = properties.eventLoopThreads() > 0 ? properties.eventLoopThreads()
                : Runtime.getRuntime().availableProcessors();
        if (properties.nativeTransport() && Epoll.isAvailable()) {
            loops = new EpollEventLoopGroup(threads, daemon("media-rtp"));
            channels = EpollDatagramChannel::new;
        } else {
            loops = new NioEventLoopGroup(threads, daemon("media-rtp"));
            channels = NioDatagramChannel::new;
        }
        meters.gauge("callflow.rtp.legs", legs, Map::size);
        // Port pairs in use and free: a call needs one pair per leg, and an empty pool refuses new calls.
        meters.gauge("callflow.rtp.ports.used", ports, PortPool::inUse);
        meters.gauge("callflow.rtp.ports.free", ports, PortPool::available);
        ticker.scheduleAtFixedRate(this::tick, 5, 5, TimeUnit.MILLISECONDS);
    }

    // ---- MediaEndpoints (called by the SIP layer) ----

    @Override
    public MediaLeg answer(CallId callId, LegId legId, String remoteOffer, SrtpPolicy srtp)
            throws NoCommonCodecException {
        Sdp offer = parse(remoteOffer);
        int codec = offer.firstCommonCodec();
        if (codec < 0) {
            throw new NoCommonCodecException("the offer has no PCMU or PCMA (payload types " + offer.payloadTypes()
                    + ")");
        }
        String profile = SdesCrypto.profile(remoteOffer);
        SdesCrypto theirs = negotiate(profile, SdesCrypto.of(remoteOffer), srtp);
        RtpLeg leg = open(callId, legId, true);
        SdesCrypto ours = null;
        if (theirs != null) {
            ours = SdesCrypto.generate(theirs.tag(), theirs.suite());
            leg.srtp = new LegSrtp(ours, theirs);
            log.info("Call {}: SRTP {} on leg {}", callId, theirs.suite(), legId);
        }
        applyRemote(leg, offer, codec);
        int dtmf = offer.telephoneEvent();
        leg.telephoneEvent = dtmf < 0 ? 101 : dtmf;
        InbandDtmf inband = properties.inbandDtmf();
        if (inband == InbandDtmf.ON || (inband == InbandDtmf.AUTO && dtmf < 0)) {
            leg.inbandDtmf = new InbandDtmfDetector();
        }
        // RFC 3264 section 6: the answer keeps the offer's transport protocol.
        return new MediaLeg(callId, legId, Sdp.describe(leg.ssrc & 0xffffffL, properties.advertisedAddress(),
                leg.port, List.of(codec), dtmf, Sdp.answerDirection(offer.direction()),
                profile.isEmpty() ? "RTP/AVP" : profile, ours));
    }

    /**
     * The remote key to use under {@code policy}, or null for plain RTP. RFC 4568 section 7.1.2: the answerer takes
     * the first crypto attribute it supports. RTP/SAVP without a key, or under policy off, cannot be answered (an
     * answer must keep the offer's profile, RFC 3264 section 6); a key offered over RTP/AVP (best-effort SRTP, as
     * several phones do) is taken when the policy allows.
     */
    private static SdesCrypto negotiate(String profile, List<SdesCrypto> offered, SrtpPolicy policy)
            throws NoCommonCodecException {
        boolean savp = profile.equals("RTP/SAVP");
        if (policy == SrtpPolicy.OFF) {
            if (savp) {
                throw new NoCommonCodecException("the offer asks for SRTP (RTP/SAVP) and SRTP is off");
            }
            return null;
        }
        if (offered.isEmpty() && (savp || policy == SrtpPolicy.REQUIRED)) {
            throw new NoCommonCodecException("SRTP " + (savp ? "offered" : "required") + " but no usable a=crypto "
                    + "(supported: " + java.util.Arrays.toString(SrtpSuite.values()) + ", no MKI or session "
                    + "parameters)");
        }
        return offered.isEmpty() ? null : offered.get(0);
    }

    @Override
    public MediaLeg offer(CallId callId, LegId legId, SrtpPolicy srtp) {
        return offer(callId, legId, srtp, false);
    }

    @Override
    public MediaLeg offerAsCaller(CallId callId, LegId legId, SrtpPolicy srtp) {
        return offer(callId, legId, srtp, true);
    }

    private MediaLeg offer(CallId callId, LegId legId, SrtpPolicy srtp, boolean callerPart) {
        RtpLeg leg = open(callId, legId, callerPart);
        SdesCrypto ours = srtp == SrtpPolicy.OFF ? null : SdesCrypto.generate(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        leg.offeredCrypto = ours;
        leg.offeredPolicy = srtp;
        return new MediaLeg(callId, legId, Sdp.describe(leg.ssrc & 0xffffffL, properties.advertisedAddress(),
                leg.port, List.of(Sdp.PCMU, Sdp.PCMA), 101, "sendrecv",
                srtp == SrtpPolicy.REQUIRED ? "RTP/SAVP" : "RTP/AVP", ours));
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
        SdesCrypto ours = leg.offeredCrypto;
        if (ours != null) {
            // RFC 4568 section 7.1.3: the answer names the offered attribute it accepted by its tag and suite.
            SdesCrypto theirs = SdesCrypto.of(remoteAnswer).stream()
                    .filter(c -> c.tag() == ours.tag() && c.suite() == ours.suite()).findFirst().orElse(null);
            if (theirs != null) {
                leg.srtp = new LegSrtp(ours, theirs);
                log.info("Call {}: SRTP {} on leg {}", media.callId(), ours.suite(), media.legId());
            } else if (leg.offeredPolicy == SrtpPolicy.REQUIRED) {
                throw new NoCommonCodecException("SRTP required but the answer accepted no key");
            }
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
        String profile = SdesCrypto.profile(remoteOffer);
        LegSrtp srtp = leg.srtp;
        if (srtp != null) {
            // An SRTP leg stays SRTP: a new offer without a key of our suite would turn encryption off mid-call.
            SrtpSuite suite = srtp.ours.suite();
            SdesCrypto offered = SdesCrypto.of(remoteOffer).stream().filter(c -> c.suite() == suite)
                    .findFirst().orElseThrow(() -> new NoCommonCodecException("the new offer drops SRTP"));
            srtp = srtp.rekeyed(offered);
            leg.srtp = srtp;
        } else if (profile.equals("RTP/SAVP")) {
            throw new NoCommonCodecException("the new offer asks for SRTP on a plain RTP leg");
        }
        if (HoldAudio.isNullAddress(offer)) {
            leg.codec = codec;
        } else {
            applyRemote(leg, offer, codec);
        }
        phoneHold(leg, HoldAudio.isHold(offer));
        return Sdp.describe(leg.ssrc & 0xffffffL, properties.advertisedAddress(), leg.port, List.of(codec),
                offer.telephoneEvent(), Sdp.answerDirection(HoldAudio.offeredDirection(offer)),
                profile.isEmpty() ? "RTP/AVP" : profile,
                srtp == null ? null : srtp.ours);
    }

    @Override
    public void release(MediaLeg media) {
        RtpLeg leg = legs.remove(media.legId());
        if (leg == null) {
            return;
        }
        callerLegs.remove(leg.callId, leg);
        forgetLeg(leg.callId);
        RtpLeg peer = leg.peer;
        // Only if the peer is still ours: a leg bridged elsewhere meanwhile (a phone's transfer) keeps its bridge.
        if (peer != null && peer.peer == leg) {
            peer.peer = null;
        }
        ticker.execute(() -> {
            recording.stop(leg);
            mixing.leave(leg);
        });
        Channel channel = leg.channel;
        if (channel != null) {
            channel.close().addListener(f -> ports.give(leg.port));
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
        List<short[]> audio = names.stream().map(name -> load(callId, language, name)).filter(Objects::nonNull)
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
            leg.collector = new DigitCollector(spec);
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
            if (recording.holdBridge(caller, other)) {
                return;
            }
            caller.prompts.clear();
            caller.music = null;
            caller.collector = null;
            mixing.leave(caller);
            mixing.leave(other);
            caller.markTalkspurt();
            other.markTalkspurt();
            caller.peer = other;
            other.peer = caller;
        });
    }

    @Override
    public void joinMix(CallId callId, LegId legId, String mixId, boolean talks) {
        joinMix(callId, legId, mixId, talks ? MixRole.PARTICIPANT : MixRole.LISTENER, null);
    }

    @Override
    public void leaveMix(CallId callId, LegId legId) {
        RtpLeg leg = legs.get(legId);
        if (leg != null) {
            ticker.execute(() -> mixing.leave(leg));
        }
    }

    @Override
    public void startRecording(CallId callId) {
        RtpLeg caller = callerLegs.get(callId);
        if (caller != null) {
            ticker.execute(() -> recording.start(caller));
        }
    }

    @Override
    public void stopRecording(CallId callId) {
        RtpLeg caller = callerLegs.get(callId);
        if (caller != null) {
            ticker.execute(() -> recording.stop(caller));
        }
    }

    @Override
    public void pauseRecording(CallId callId, boolean paused) {
        RtpLeg caller = callerLegs.get(callId);
        if (caller != null) {
            recording.pause(caller, paused);
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
        // Every leg of a call on one event loop: relaying then never hands a packet to another thread.
        EventLoop loop = callLoops.compute(callId, (id, known) -> known == null ? new CallLoop(loops.next(), 1)
                : new CallLoop(known.loop(), known.legs() + 1)).loop();
        // Another process may hold a port of the range (an ephemeral port the OS handed out): skip it, try the next.
        for (int attempt = 1; ; attempt++) {
            int port = ports.take();
            RtpLeg leg = new RtpLeg(callId, legId, port, callerLeg);
            try {
                leg.channel = bind(leg, loop);
            } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
                ports.give(port);
                if (attempt < BIND_ATTEMPTS) {
                    log.debug("Call {}: RTP port {} is taken ({}), trying another", callId, port, e.toString());
                    continue;
                }
                forgetLeg(callId);
                throw new IllegalStateException("cannot open an RTP port, the last tried was " + port + ": " + e, e);
            }
            legs.put(legId, leg);
            if (callerLeg) {
                callerLegs.put(callId, leg);
            }
            return leg;
        }
    }

    /** A call's event loop and how many of its legs are open; the entry goes with the call's last leg. */
    private record CallLoop(EventLoop loop, int legs) {
    }

    private void forgetLeg(CallId callId) {
        callLoops.computeIfPresent(callId, (id, known) -> known.legs() <= 1 ? null
                : new CallLoop(known.loop(), known.legs() - 1));
    }

    private Channel bind(RtpLeg leg, EventLoop loop) {
        Bootstrap bootstrap = new Bootstrap();
        if (loops instanceof EpollEventLoopGroup) {
            // Level-triggered, so one read per wake-up is enough: a phone sends one packet per 20 ms, and reading
            // until the socket is empty (edge-triggered) would cost a second, empty read for almost every packet.
            bootstrap.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        boolean connect = loops instanceof EpollEventLoopGroup;
        return bootstrap.group(loop).channelFactory(channels)
                .option(ChannelOption.ALLOCATOR, allocator)
                // Active while open, connected or not: Netty's epoll disconnect would otherwise make it inactive.
                .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048).maxMessagesPerRead(1))
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new SrtpHandler(leg, drops), decoder, new SymmetricRtpFilter(leg, drops, System::nanoTime, connect),
                                new TelephoneEventDecoder(() -> leg.telephoneEvent, drops), new Receiver(leg),
                                encoder);
                    }
                })
                .bind(new InetSocketAddress(properties.bindAddress(), leg.port)).syncUninterruptibly().channel();
    }

    private static void applyRemote(RtpLeg leg, Sdp sdp, int codec) {
        leg.codec = codec;
        InetSocketAddress signalled = new InetSocketAddress(sdp.address(), sdp.port());
        if (!signalled.equals(leg.signalledRemote)) {
            // A new address in SDP (first answer, or a re-INVITE moving the stream): send there until it latches again.
            leg.signalledRemote = signalled;
            leg.remote = signalled;
            leg.latched = false;
            if (leg.channel instanceof DatagramChannel channel) {
                // A socket connected on latching hears only the old source: disconnect it, on its event loop.
                channel.eventLoop().execute(() -> {
                    if (channel.isConnected()) {
                        channel.disconnect();
                    }
                });
            }
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
            return prompts.prompt(language, name);
        } catch (IllegalArgumentException e) {
            log.error("Call {}: {}; skipping it", callId, e.getMessage());
            return null;
        }
    }

    /** Runs on the ticker every 5 ms; does the work of every 20 ms frame that is due. */
    private void tick() {
        try {
            int due = pacer.due();
            for (int i = 0; i < due; i++) {
                frame(System.nanoTime());
            }
        } catch (RuntimeException e) {
            log.error("Media ticker: {}", e.toString(), e);
        }
    }

    private void frame(long now) {
        frames++;
        for (RtpLeg leg : legs.values()) {
            short[] hold = HoldAudio.frameFor(leg);
            if (hold != null) {
                send(leg, hold, now);
            }
        }
        for (RtpLeg leg : legs.values()) {
            if (leg.callerLeg) {
                sendFrame(leg, now);
                recording.frame(leg);
                checkCollection(leg, now);
            }
            if (frames % 50 == 0) {
                checkDeadMedia(leg, now);
            }
        }
        mixing.frame(now);
    }

    private void sendFrame(RtpLeg leg, long now) {
        if (leg.peer != null || leg.mix != null || leg.remote == null) {
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
            send(leg, frame, now);
        }
    }

    private void finishPlayback(RtpLeg leg) {
        RtpLeg heldBridge = recording.consentFinished(leg);
        if (heldBridge != null) {
            bridge(leg.callId, heldBridge.legId);
        }
        if (leg.playbackPending) {
            leg.playbackPending = false;
            events.publish(new PlaybackFinished(leg.callId, Instant.now()));
        }
        if (leg.collector != null) {
            leg.collector.promptsFinished(System.nanoTime());
        }
    }

    private void checkCollection(RtpLeg leg, long now) {
        DigitCollector collector = leg.collector;
        if (collector == null) {
            return;
        }
        if (leg.prompts.isEmpty()) {
            collector.promptsFinished(now);
        }
        String outcome = collector.check(now);
        if (outcome != null) {
            finishCollection(leg, outcome);
        }
    }

    private void onDigit(RtpLeg leg, char digit) {
        if (!leg.callerLeg) {
            // An agent's or a supervisor's key: feature codes are read from it (recording pause/resume,
            // flow.RecordingFeatureCodes; a supervisor switching mode, flow.SupervisorFeatures). It is not the
            // caller's: it neither interrupts the caller's prompts nor enters the caller's menu choices (an agent's
            // *1 must not become the caller's next menu input).
            events.publish(new LegDigitPressed(leg.callId, leg.legId, digit, Instant.now()));
            return;
        }
        RtpLeg caller = leg.callerLeg ? leg : callerLegs.get(leg.callId);
        if (caller == null) {
            return;
        }
        log.debug("Call {}: digit {} on leg {}", caller.callId, digit, leg.legId);
        // Barge-in: the caller knows what they want; drop the prompts that may be interrupted, playing or queued.
        if (caller.prompts.removeIf(playback -> playback.bargeIn) && caller.prompts.isEmpty()) {
            finishPlayback(caller);
        }
        DigitCollector collector = caller.collector;
        if (collector == null) {
            if (caller.typeAhead.length() < 16) {
                caller.typeAhead.append(digit);
            }
            return;
        }
        String outcome = collector.digit(digit, System.nanoTime());
        if (outcome != null) {
            finishCollection(caller, outcome);
        }
    }

    private void finishCollection(RtpLeg leg, String digits) {
        leg.collector = null;
        events.publish(digits.isEmpty() ? new NoInput(leg.callId, Instant.now())
                : new DigitsCollected(leg.callId, digits, Instant.now()));
    }

    private void checkDeadMedia(RtpLeg leg, long now) {
        long last = leg.lastReceivedNanos;
        // A phone holding with a=inactive sends nothing (RFC 3264 section 8.4), and that is no dead call.
        if (last != 0 && !leg.timedOut && !leg.phoneHold && now - last > properties.mediaTimeout().toNanos()) {
            leg.timedOut = true;
            log.warn("Call {}: no RTP on leg {} for {}", leg.callId, leg.legId, properties.mediaTimeout());
            events.publish(new MediaTimedOut(leg.callId, leg.legId, Instant.now()));
        }
    }

    /** Sends one 20 ms frame of samples on the leg, in its codec. */
    private void send(RtpLeg leg, short[] samples, long now) {
        Channel channel = leg.channel;
        if (leg.remote == null || channel == null || !channel.isActive()) {
            return;
        }
        int codec = leg.codec;
        ByteBuf payload = allocator.buffer(samples.length);
        for (short sample : samples) {
            payload.writeByte(G711.encode(codec, sample));
        }
        channel.writeAndFlush(leg.next(codec, payload, samples.length, now), channel.voidPromise());
    }

    @Override
    public void close() {
        legs.values().forEach(leg -> release(new MediaLeg(leg.callId, leg.legId, "")));
        ticker.shutdown();
        try {
            // Let the ticker close the recordings the releases handed to it, then the disk thread finish them.
            ticker.awaitTermination(2, TimeUnit.SECONDS);
            disk.shutdown();
            disk.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ticker.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Override
    public void joinMix(CallId callId, LegId legId, String mixId, MixRole role, LegId whisperTo) {
        RtpLeg leg = legId == null ? callerLegs.get(callId) : legs.get(legId);
        if (leg == null) {
            log.warn("Call {}: cannot join mix {}, leg {} has ended", callId, mixId, legId);
            return;
        }
        ticker.execute(() -> mixing.join(leg, mixId, role, whisperTo));
    }

    // ---- hold (HoldAudio) ----

    @Override
    public HoldOutcome holdCall(CallId callId, boolean held, boolean agentIsCallerLeg) {
        RtpLeg caller = callerLegs.get(callId);
        RtpLeg agent = caller == null ? null : agentIsCallerLeg ? caller : caller.peer;
        if (agent == null || agent.peer == null) {
            return HoldOutcome.NO_AGENT;
        }
        if (agent.apiHold == held) {
            return HoldOutcome.ALREADY;
        }
        if (held) {
            loadHoldMusic(callId);
        }
        agent.apiHold = held;
        holdChanged(agent);
        log.info("Call {}: {} through the API", callId, held ? "held" : "resumed");
        return HoldOutcome.CHANGED;
    }

    /** A re-INVITE put the leg's phone on hold or took it off; the call layer hears of the change. */
    private void phoneHold(RtpLeg leg, boolean held) {
        if (leg.phoneHold == held) {
            return;
        }
        if (held) {
            loadHoldMusic(leg.callId);
        }
        leg.phoneHold = held;
        holdChanged(leg);
        log.info("Call {}: the {} phone {} (re-INVITE)", leg.callId, leg.callerLeg ? "caller's" : "agent's",
                held ? "holds" : "resumes");
        events.publish(new LegHoldChanged(leg.callId, leg.legId, held, leg.callerLeg, Instant.now()));
    }

    private void holdChanged(RtpLeg leg) {
        // A new source on both streams (RFC 3550 section 5.1 marker), and dead-media timing starts afresh.
        long now = System.nanoTime();
        for (RtpLeg side : new RtpLeg[] {leg, leg.peer}) {
            if (side != null) {
                side.markTalkspurt();
                if (side.lastReceivedNanos != 0) {
                    side.lastReceivedNanos = now;
                }
            }
        }
    }

    private void loadHoldMusic(CallId callId) {
        short[] music;
        try {
            music = prompts.samples("moh", HOLD_MUSIC_CLASS);
        } catch (IllegalArgumentException e) {
            log.error("Call {}: music on hold unavailable, the held party hears silence: {}", callId, e.getMessage());
            return;
        }
        legs.values().stream().filter(leg -> leg.callId.equals(callId)).forEach(leg -> leg.holdMusic = music);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The end of a leg's pipeline, on its event loop: digits go to the ticker, audio is decoded only when something
     * needs samples (in-band DTMF, recording, mixing) and relayed to the bridged leg, transcoded when the laws differ.
     */
    private final class Receiver extends ChannelInboundHandlerAdapter {

        private final RtpLeg leg;

        Receiver(RtpLeg leg) {
            this.leg = leg;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DtmfDigit digit) {
                ticker.execute(() -> onDigit(leg, digit.digit()));
                return;
            }
            if (!(msg instanceof RtpPacket packet)) {
                return;
            }
            ByteBuf payload = packet.payload();
            try {
                audio(packet, payload);
            } finally {
                payload.release();
            }
        }

        private void audio(RtpPacket packet, ByteBuf payload) {
            int type = packet.payloadType();
            int length = payload.readableBytes();
            RtpLeg peer = leg.peer;
            InbandDtmfDetector detector = leg.inbandDtmf;
            boolean recorded = (leg.callerLeg ? leg.recorder : peer == null ? null : peer.recorder) != null;
            Mix mix = leg.mix;
            if (detector != null || recorded || mix != null) {
                short[] samples = new short[length];
                G711.decode(type, payload, payload.readerIndex(), length, samples);
                if (detector != null) {
                    char key = detector.accept(samples, length);
                    if (key != 0) {
                        ticker.execute(() -> onDigit(leg, key));
                    }
                }
                if (recorded) {
                    leg.captured.write(samples, length);
                }
                if (mix != null) {
                    leg.mixInput.write(samples, length);
                }
            }
            Channel out = peer == null ? null : peer.channel;
            if (out == null || peer.remote == null || HoldAudio.held(leg, peer)) {
                return;
            }
            int codec = peer.codec;
            ByteBuf relayed;
            if (codec == type) {
                relayed = payload.retain();
            } else {
                relayed = allocator.buffer(length);
                for (int i = 0, at = payload.readerIndex(); i < length; i++) {
                    relayed.writeByte(G711.transcode(codec, payload.getByte(at + i)));
                }
            }
            out.writeAndFlush(peer.next(codec, relayed, length, System.nanoTime()), out.voidPromise());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof PortUnreachableException) {
                // ICMP port unreachable on a connected socket: the remote has gone; dead-media detection will tell.
                log.debug("Call {}: RTP on leg {}: {}", leg.callId, leg.legId, cause.toString());
                return;
            }
            // One bad packet never stops a leg: log it and keep the channel open.
            log.warn("Call {}: RTP on leg {} failed: {}", leg.callId, leg.legId, cause.toString());
        }
    }

    /** Recording encryption keys ({@code callflow.recordings.*}); set by Spring, absent in hand-built engines. */
    @org.springframework.beans.factory.annotation.Autowired(required = false)
    void recordingKeys(RecordingKeys keys) {
        recording.keys(keys);
    }

    @Override
    public void startRecordingAfter(CallId callId, String prompt, String language) {
        RtpLeg caller = callerLegs.get(callId);
        if (caller != null) {
            short[] announcement = load(callId, language, prompt);
            ticker.execute(() -> recording.announceThenStart(caller, announcement));
        }
    }
}
