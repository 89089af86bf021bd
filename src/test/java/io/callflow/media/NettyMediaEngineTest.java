package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.callflow.call.CallControl.DigitCollection;
import io.callflow.call.CallEvent;
import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.CallLanes;
import io.callflow.call.DigitsCollected;
import io.callflow.call.LegDigitPressed;
import io.callflow.call.LegId;
import io.callflow.call.MediaTimedOut;
import io.callflow.call.MixRole;
import io.callflow.call.PlaybackFinished;
import io.callflow.platform.ContentProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The media engine over real UDP on loopback, with test phones on the other end of each leg. */
class NettyMediaEngineTest {

    static final int PORT_MIN = 34000;
    static final int PORT_MAX = 34199;
    static Path root;
    static SimpleMeterRegistry meters = new SimpleMeterRegistry();
    static BlockingQueue<CallEvent> events = new LinkedBlockingQueue<>();
    static NettyMediaEngine engine;
    static ScheduledExecutorService streams = Executors.newScheduledThreadPool(2);
    static final AtomicInteger calls = new AtomicInteger();

    final List<Phone> phones = new ArrayList<>();
    final List<MediaLeg> legs = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        root = Files.createTempDirectory("media-test");
        Files.createDirectories(root.resolve("prompts/en"));
        Files.createDirectories(root.resolve("prompts/moh"));
        Files.write(root.resolve("prompts/en/beep.wav"), Audio.wav(Audio.tones(440, 8000, 0, 0, 300)));
        Files.write(root.resolve("prompts/moh/default.wav"), Audio.wav(Audio.tones(880, 4000, 0, 0, 100)));
        engine = engine(PORT_MIN, PORT_MAX, RecordingChannels.STEREO);
    }

    static NettyMediaEngine engine(int min, int max, RecordingChannels recording) {
        MediaProperties properties = new MediaProperties("127.0.0.1", "127.0.0.1", min, max, Duration.ofMillis(500),
                InbandDtmf.AUTO, recording, root.resolve("recordings"), 1, true);
        ContentProperties content = new ContentProperties(root, root, root.resolve("prompts"), root, false,
                Duration.ofMillis(500));
        CallEventPublisher publisher = new CallEventPublisher(new CallLanes(Runnable::run),
                event -> events.add((CallEvent) event));
        return new NettyMediaEngine(properties, new PromptLibrary(content), publisher, meters, root);
    }

    @AfterAll
    static void stop() {
        engine.close();
        streams.shutdownNow();
    }

    @AfterEach
    void hangUp() {
        legs.forEach(engine::release);
        phones.forEach(Phone::close);
        events.clear();
    }

    @Test
    void promptsArePacedAt20MsAndSentToWhereTheCallerReallySendsFrom() throws Exception {
        Phone phone = phone();
        // The SDP names a port nobody listens on (as behind a NAT); the phone really sends from its own socket.
        int natPort;
        try (DatagramSocket unused = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            natPort = unused.getLocalPort();
        }
        CallId call = callId();
        MediaLeg leg = answer(call, Phone.sdpFor(natPort, "0 101", "a=rtpmap:101 telephone-event/8000"));
        phone.sendingTo(leg.localSdp()).sendAudio(Sdp.PCMU, new short[160]);
        engine.play(call, List.of("beep"), "en", false);

        long start = System.nanoTime();
        List<Phone.Packet> packets = phone.receiveAll(300);
        double seconds = (System.nanoTime() - start) / 1e9 - 0.3;
        assertThat(packets).hasSize(15); // 300 ms of prompt in 20 ms frames
        assertThat(seconds).as("paced, not sent in a burst").isBetween(0.2, 0.6);
        assertThat(packets).allSatisfy(p -> assertThat(p.payloadType()).isEqualTo(Sdp.PCMU));
        assertThat(Audio.rms(packets.get(5).samples())).isGreaterThan(4000);
        assertThat(nextEvent()).isInstanceOf(PlaybackFinished.class);
    }

    @Test
    void aMissingPromptIsAnErrorNamingTheFileAndPlaybackStillFinishes() throws Exception {
        ContentProperties content = new ContentProperties(root, root, root.resolve("prompts"), root, false,
                Duration.ofMillis(500));
        assertThatThrownBy(() -> new PromptLibrary(content).samples("en", "nope"))
                .hasMessageContaining("en/nope.wav").hasMessageContaining("not found");
        Phone phone = phone();
        CallId call = callId();
        MediaLeg leg = answer(call, phone.sdp("0"));
        phone.sendingTo(leg.localSdp());
        engine.play(call, List.of("nope"), "en", true);
        assertThat(nextEvent()).isInstanceOf(PlaybackFinished.class);
    }

    @Test
    void theRelayKeepsOneContinuousStreamAcrossPromptMusicAndAgentAndTranscodes() throws Exception {
        Phone caller = phone();
        Phone agent = phone();
        CallId call = callId();
        MediaLeg callerLeg = answer(call, caller.sdp("0 101", "a=rtpmap:101 telephone-event/8000"));
        caller.sendingTo(callerLeg.localSdp());
        MediaLeg agentLeg = engine.offer(call, new LegId("agent-" + call.value()));
        legs.add(agentLeg);
        engine.answered(agentLeg, agent.sdp("8", "a=rtpmap:8 PCMA/8000"));
        agent.sendingTo(agentLeg.localSdp());

        engine.play(call, List.of("beep"), "en", false);
        List<Phone.Packet> heard = new ArrayList<>(caller.receiveAll(100));
        engine.playMusic(call, "default");
        for (int i = 0; i < 10; i++) {
            heard.add(caller.receive(500));
        }
        engine.bridge(call, agentLeg.legId());
        short[] agentTone = Audio.tones(1000, 6000, 0, 0, 20);
        ScheduledFuture<?> agentTalks = stream(agent, Sdp.PCMA, repeat(agentTone, 150));
        ScheduledFuture<?> callerTalks = stream(caller, Sdp.PCMU, repeat(Audio.tones(500, 6000, 0, 0, 20), 150));
        List<Phone.Packet> fromCaller = new ArrayList<>();
        long deadline = System.nanoTime() + 3_000_000_000L;
        while ((heard.size() <= 45 || fromCaller.size() <= 5) && System.nanoTime() < deadline) {
            Phone.Packet p = caller.receive(5);
            if (p != null) {
                heard.add(p);
            }
            Phone.Packet q = agent.receive(1);
            if (q != null) {
                fromCaller.add(q);
            }
        }
        agentTalks.cancel(false);
        callerTalks.cancel(false);

        assertThat(heard).extracting(Phone.Packet::ssrc).containsOnly(heard.get(0).ssrc());
        for (int i = 1; i < heard.size(); i++) {
            Phone.Packet before = heard.get(i - 1);
            Phone.Packet now = heard.get(i);
            assertThat(now.sequence()).as("sequence after packet %d", i).isEqualTo((before.sequence() + 1) & 0xffff);
            long step = (now.timestamp() - before.timestamp()) & 0xffffffffL;
            assertThat(step).as("timestamp step after packet %d", i).isPositive().isLessThan(80_000);
            assertThat(step % 160).isZero();
        }
        int relayed = indexOfFirst(heard, p -> Math.abs(correlation(p.samples(), agentTone)) > 0.9);
        assertThat(relayed).as("the agent's audio reached the caller").isPositive();
        assertThat(heard.subList(relayed - 3, relayed + 1)).anyMatch(Phone.Packet::marker);
        // A-law from the agent arrives as mu-law at the caller, and the other way round.
        assertThat(heard.get(heard.size() - 1).payloadType()).isEqualTo(Sdp.PCMU);
        assertThat(correlation(heard.get(heard.size() - 1).samples(), agentTone)).isGreaterThan(0.99);
        assertThat(fromCaller.get(fromCaller.size() - 1).payloadType()).isEqualTo(Sdp.PCMA);
        assertThat(Audio.rms(fromCaller.get(fromCaller.size() - 1).samples())).isBetween(3800.0, 4700.0);
    }

    @Test
    void badPacketsAreCountedAndDroppedAndTheLegKeepsWorking() throws Exception {
        Phone phone = phone();
        Phone stranger = phone();
        CallId call = callId();
        MediaLeg leg = answer(call, phone.sdp("8 101", "a=rtpmap:101 telephone-event/8000"));
        phone.sendingTo(leg.localSdp());
        stranger.sendingTo(leg.localSdp());
        double before = dropped();
        phone.sendRaw(new byte[] {(byte) 0x80, 8, 0, 1});
        phone.sendRaw(new byte[] {0x40, 8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1});
        phone.send(false, 18, 160, new byte[20]);
        phone.sendAudio(Sdp.PCMA, new short[160]);
        stranger.sendAudio(Sdp.PCMA, new short[160]);
        // The stranger's packet is not counted: latching connected the leg's socket, so the kernel drops it.
        await().atMost(Duration.ofSeconds(2)).until(() -> dropped() - before == 3);
        engine.collectDigits(call, new DigitCollection(1, null, Duration.ofSeconds(5), Duration.ofSeconds(5)));
        stranger.pressKey(101, '5');
        phone.pressKey(101, '3');
        assertThat(nextEvent()).isEqualTo(new DigitsCollected(call, "3", ((DigitsCollected) lastEvent).at()));
    }

    @Test
    void rfc4733KeysCountOnceAndTheTerminatorEndsCollection() throws Exception {
        Phone phone = phone();
        CallId call = callId();
        MediaLeg leg = answer(call, phone.sdp("0 96", "a=rtpmap:96 telephone-event/8000"));
        phone.sendingTo(leg.localSdp());
        engine.collectDigits(call, new DigitCollection(6, '#', Duration.ofSeconds(5), Duration.ofSeconds(5)));
        phone.pressKey(96, '7');
        phone.pressKey(96, '8');
        phone.pressKey(96, '8');
        phone.pressKey(96, '#');
        DigitsCollected collected = (DigitsCollected) nextEvent();
        assertThat(collected.digits()).isEqualTo("788");
    }

    @Test
    void sipInfoDigitsMixWithRtpDigitsInOneCollection() throws Exception {
        Phone phone = phone();
        CallId call = callId();
        MediaLeg leg = answer(call, phone.sdp("0 101", "a=rtpmap:101 telephone-event/8000"));
        phone.sendingTo(leg.localSdp());
        engine.digitReceived(call, leg.legId(), '5'); // before the collection: type-ahead
        engine.collectDigits(call, new DigitCollection(3, null, Duration.ofSeconds(5), Duration.ofSeconds(5)));
        engine.digitReceived(call, leg.legId(), '*');
        phone.pressKey(101, '6');
        assertThat(((DigitsCollected) nextEvent()).digits()).isEqualTo("5*6");
    }

    @Test
    void anAgentsKeysAreFeatureCodesNotTheCallersMenuInput() throws Exception {
        Phone caller = phone();
        Phone agent = phone();
        CallId call = callId();
        MediaLeg callerLeg = answer(call, caller.sdp("0 101", "a=rtpmap:101 telephone-event/8000"));
        caller.sendingTo(callerLeg.localSdp());
        MediaLeg agentLeg = engine.offer(call, new LegId("agent-" + call.value()));
        legs.add(agentLeg);
        engine.answered(agentLeg, agent.sdp("0 101", "a=rtpmap:101 telephone-event/8000"));
        agent.sendingTo(agentLeg.localSdp());
        engine.collectDigits(call, new DigitCollection(1, null, Duration.ofSeconds(5), Duration.ofSeconds(5)));

        engine.digitReceived(call, agentLeg.legId(), '*');
        assertThat(nextEvent()).isInstanceOf(LegDigitPressed.class)
                .isEqualTo(new LegDigitPressed(call, agentLeg.legId(), '*', ((LegDigitPressed) lastEvent).at()));
        caller.pressKey(101, '7');
        assertThat(nextEvent()).as("the caller's own key, not the agent's *")
                .isEqualTo(new DigitsCollected(call, "7", ((DigitsCollected) lastEvent).at()));
    }

    @Test
    void aReInviteToAnotherAddressMovesTheStreamThere() throws Exception {
        Phone first = phone();
        Phone second = phone();
        CallId call = callId();
        MediaLeg leg = answer(call, first.sdp("0"));
        first.sendingTo(leg.localSdp()).sendAudio(Sdp.PCMU, new short[160]);
        engine.playMusic(call, "default");
        assertThat(first.receive(1000)).isNotNull();
        String answer = engine.reoffer(leg, second.sdp("8", "a=rtpmap:8 PCMA/8000"));
        assertThat(Sdp.parse(answer).payloadTypes()).containsExactly(8);
        first.drain();
        Phone.Packet moved = second.receive(1000);
        assertThat(moved).isNotNull();
        assertThat(moved.payloadType()).isEqualTo(Sdp.PCMA);
        // The leg latches to the new address, although its socket was connected to the old one.
        engine.collectDigits(call, new DigitCollection(1, null, Duration.ofSeconds(5), Duration.ofSeconds(5)));
        second.sendingTo(leg.localSdp()).pressKey(101, '4');
        assertThat(((DigitsCollected) nextEvent()).digits()).isEqualTo("4");
        second.drain();
        assertThat(second.receive(1000)).as("music after the socket was disconnected").isNotNull();
    }

    @Test
    void inBandTonesAreDetectedOnATrunkWithoutTelephoneEvent() throws Exception {
        Phone phone = phone();
        CallId call = callId();
        MediaLeg leg = answer(call, phone.sdp("0"));
        phone.sendingTo(leg.localSdp());
        engine.collectDigits(call, new DigitCollection(2, null, Duration.ofSeconds(5), Duration.ofSeconds(5)));
        short[] audio = Audio.concat(new short[800], InbandDtmfDetectorTest.key('4', 6000, 6000, 100),
                new short[800], InbandDtmfDetectorTest.key('2', 6000, 6000, 100), new short[800]);
        stream(phone, Sdp.PCMU, audio).get(5, TimeUnit.SECONDS);
        assertThat(((DigitsCollected) nextEvent()).digits()).isEqualTo("42");
    }

    @Test
    void aLegThatStopsSendingRaisesMediaTimedOut() throws Exception {
        Phone phone = phone();
        CallId call = callId();
        MediaLeg leg = answer(call, phone.sdp("0"));
        phone.sendingTo(leg.localSdp()).sendAudio(Sdp.PCMU, new short[160]);
        CallEvent event = nextEvent();
        assertThat(event).isEqualTo(new MediaTimedOut(call, leg.legId(), ((MediaTimedOut) event).at()));
    }

    @Test
    void theRecordingHasBothSidesAndStaysValidWhenTheCallDropsMidWay() throws Exception {
        Phone caller = phone();
        Phone agent = phone();
        CallId call = callId();
        MediaLeg callerLeg = answer(call, caller.sdp("8"));
        caller.sendingTo(callerLeg.localSdp());
        MediaLeg agentLeg = engine.offer(call, new LegId("agent-" + call.value()));
        engine.answered(agentLeg, agent.sdp("0"));
        agent.sendingTo(agentLeg.localSdp());
        engine.startRecording(call);
        engine.bridge(call, agentLeg.legId());
        ScheduledFuture<?> a = stream(caller, Sdp.PCMA, Audio.tones(500, 6000, 0, 0, 600));
        ScheduledFuture<?> b = stream(agent, Sdp.PCMU, Audio.tones(700, 3000, 0, 0, 600));
        a.get(5, TimeUnit.SECONDS);
        b.get(5, TimeUnit.SECONDS);
        // The call drops: the legs are released without anyone stopping the recording first.
        engine.release(callerLeg);
        engine.release(agentLeg);
        Path file = root.resolve("recordings/" + call.value() + ".wav");
        Audio.Wav wav = await().atMost(Duration.ofSeconds(3)).ignoreExceptions()
                .until(() -> Audio.Wav.read(file), w -> w.seconds() >= 0.5);
        assertThat(wav.channels()).isEqualTo(2);
        assertThat(wav.seconds()).isLessThan(1.5);
        assertThat(Audio.rms(wav.samples()[0])).as("caller on the left").isGreaterThan(2500);
        assertThat(Audio.rms(wav.samples()[1])).as("agent on the right").isGreaterThan(1200);
    }

    @Test
    void mixedLegsEachHearEveryoneElseAndAListenerIsNotHeard() throws Exception {
        Phone a = phone();
        Phone b = phone();
        Phone c = phone();
        Phone supervisor = phone();
        List<MediaLeg> members = answeredLegs(a, b, c, supervisor);
        for (int i = 0; i < 4; i++) {
            engine.joinMix(members.get(i).callId(), members.get(i).legId(), "conference-1", i < 3);
        }
        short[] level1000 = constant(1000);
        short[] level2000 = constant(2000);
        short[] level4000 = constant(4000);
        List<ScheduledFuture<?>> talking = List.of(stream(a, Sdp.PCMU, repeat(level1000, 60)),
                stream(b, Sdp.PCMU, repeat(level2000, 60)), stream(c, Sdp.PCMU, repeat(new short[160], 60)),
                stream(supervisor, Sdp.PCMU, repeat(level4000, 60)));
        // The mixer sends every 20 ms from the moment a leg joins; wait 300 ms into the talking, then listen.
        for (int i = 0; i < 15; i++) {
            a.receive(200);
        }
        for (Phone p : List.of(a, b, c, supervisor)) {
            p.drain();
        }
        assertThat(level(a)).as("a hears b").isCloseTo(2000, org.assertj.core.data.Offset.offset(150.0));
        assertThat(level(b)).as("b hears a").isCloseTo(1000, org.assertj.core.data.Offset.offset(100.0));
        assertThat(level(c)).as("c hears a and b").isCloseTo(3000, org.assertj.core.data.Offset.offset(200.0));
        assertThat(level(supervisor)).as("the supervisor hears a, b, c").isCloseTo(3000,
                org.assertj.core.data.Offset.offset(200.0));
        for (ScheduledFuture<?> f : talking) {
            f.get(5, TimeUnit.SECONDS);
        }
        for (MediaLeg leg : members) {
            engine.leaveMix(leg.callId(), leg.legId());
        }
    }

    @Test
    void aSupervisorListensThenWhispersToTheAgentThenBargesIn() throws Exception {
        Phone caller = phone();
        Phone agent = phone();
        Phone supervisor = phone();
        List<MediaLeg> legs = answeredLegs(caller, agent, supervisor);
        engine.joinMix(legs.get(0).callId(), legs.get(0).legId(), "monitor-1", MixRole.PARTICIPANT, null);
        engine.joinMix(legs.get(1).callId(), legs.get(1).legId(), "monitor-1", true);
        MediaLeg sup = legs.get(2);
        engine.joinMix(sup.callId(), sup.legId(), "monitor-1", MixRole.LISTENER, null);
        List<ScheduledFuture<?>> talking = List.of(stream(caller, Sdp.PCMU, repeat(constant(1000), 200)),
                stream(agent, Sdp.PCMU, repeat(constant(2000), 200)),
                stream(supervisor, Sdp.PCMU, repeat(constant(4000), 200)));
        var offset = org.assertj.core.data.Offset.offset(300.0);

        settle(caller, agent, supervisor);
        assertThat(level(caller)).as("listen: the caller hears the agent only").isCloseTo(2000, offset);
        assertThat(level(agent)).as("listen: the agent hears the caller only").isCloseTo(1000, offset);
        assertThat(level(supervisor)).as("listen: the supervisor hears both").isCloseTo(3000, offset);

        engine.joinMix(sup.callId(), sup.legId(), "monitor-1", MixRole.WHISPERER, legs.get(1).legId());
        settle(caller, agent, supervisor);
        assertThat(level(caller)).as("whisper: the caller does not hear the supervisor").isCloseTo(2000, offset);
        assertThat(level(agent)).as("whisper: the agent hears caller and supervisor").isCloseTo(5000, offset);
        assertThat(level(supervisor)).as("whisper: the supervisor hears both").isCloseTo(3000, offset);

        engine.joinMix(sup.callId(), sup.legId(), "monitor-1", MixRole.PARTICIPANT, null);
        settle(caller, agent, supervisor);
        assertThat(level(caller)).as("barge: the caller hears agent and supervisor").isCloseTo(6000, offset);
        assertThat(level(agent)).as("barge: the agent hears caller and supervisor").isCloseTo(5000, offset);
        assertThat(level(supervisor)).as("barge: the supervisor hears both").isCloseTo(3000, offset);

        engine.release(sup);
        settle(caller, agent);
        assertThat(level(caller)).as("the supervisor gone, the call goes on").isCloseTo(2000, offset);
        for (ScheduledFuture<?> f : talking) {
            f.cancel(true);
        }
        engine.leaveMix(legs.get(0).callId(), legs.get(0).legId());
        engine.leaveMix(legs.get(1).callId(), legs.get(1).legId());
    }

    @Test
    void aRecordedCallerInAMixIsRecordedWithWhatItHears() throws Exception {
        Phone caller = phone();
        Phone agent = phone();
        Phone supervisor = phone();
        CallId call = callId();
        MediaLeg callerLeg = answer(call, caller.sdp("0"));
        caller.sendingTo(callerLeg.localSdp());
        List<MediaLeg> others = new ArrayList<>();
        for (Phone p : List.of(agent, supervisor)) {
            MediaLeg leg = engine.offer(call, new LegId("other-" + call.value() + "-" + others.size()));
            engine.answered(leg, p.sdp("0"));
            p.sendingTo(leg.localSdp());
            others.add(leg);
        }
        engine.startRecording(call);
        engine.joinMix(call, callerLeg.legId(), "rec-1", MixRole.PARTICIPANT, null);
        engine.joinMix(call, others.get(0).legId(), "rec-1", MixRole.PARTICIPANT, null);
        engine.joinMix(call, others.get(1).legId(), "rec-1", MixRole.WHISPERER, others.get(0).legId());
        List<ScheduledFuture<?>> talking = List.of(stream(caller, Sdp.PCMU, repeat(constant(1000), 50)),
                stream(agent, Sdp.PCMU, repeat(constant(2000), 50)),
                stream(supervisor, Sdp.PCMU, repeat(constant(4000), 50)));
        for (ScheduledFuture<?> f : talking) {
            f.get(5, TimeUnit.SECONDS);
        }
        engine.stopRecording(call);
        Path file = root.resolve("recordings/" + call.value() + ".wav");
        Audio.Wav wav = await().atMost(Duration.ofSeconds(3)).ignoreExceptions()
                .until(() -> Audio.Wav.read(file), w -> w.seconds() >= 0.5);
        assertThat(wav.channels()).isEqualTo(2);
        assertThat(median(wav.samples()[0])).as("the caller").isCloseTo(1000, org.assertj.core.data.Offset.offset(150.0));
        assertThat(median(wav.samples()[1])).as("what the caller hears: the agent, not the whisper")
                .isCloseTo(2000, org.assertj.core.data.Offset.offset(200.0));
        for (MediaLeg leg : others) {
            engine.release(leg);
        }
        engine.release(callerLeg);
    }

    /** A caller leg (PCMU) answered for each phone, each in its own call, the phone sending to it. */
    private List<MediaLeg> answeredLegs(Phone... phones) throws Exception {
        List<MediaLeg> answered = new ArrayList<>();
        for (Phone p : phones) {
            MediaLeg leg = answer(callId(), p.sdp("0"));
            p.sendingTo(leg.localSdp());
            answered.add(leg);
        }
        return answered;
    }

    private static double median(short[] samples) {
        short[] sorted = samples.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void settle(Phone... phones) throws Exception {
        Thread.sleep(200);
        for (Phone p : phones) {
            p.drain();
        }
    }

    @Test
    void thousandsOfCallsLeakNoPort() throws Exception {
        // A small range, so every port is reused dozens of times: a leaked socket would make a bind fail.
        NettyMediaEngine small = engine(34400, 34599, RecordingChannels.MONO);
        try {
            for (int i = 0; i < 3000; i++) {
                CallId call = new CallId("leak-" + i);
                MediaLeg caller = small.answer(call, new LegId("leak-caller-" + i), Phone.sdpFor(40000, "0"));
                MediaLeg agent = small.offer(call, new LegId("leak-agent-" + i));
                small.bridge(call, agent.legId());
                small.release(caller);
                small.release(agent);
                if (small.portsInUse() >= 80) {
                    await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                            .until(() -> small.portsInUse() < 80);
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> small.portsInUse() == 0);
            assertThat(small.openLegs()).isZero();
        } finally {
            small.close();
        }
        for (int port = 34400; port < 34600; port += 2) {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(socket.isBound()).isTrue();
            }
        }
    }

    // ---- helpers ----

    private CallEvent lastEvent;

    private CallEvent nextEvent() throws InterruptedException {
        lastEvent = events.poll(5, TimeUnit.SECONDS);
        assertThat(lastEvent).as("an event within 5 s").isNotNull();
        return lastEvent;
    }

    private Phone phone() throws IOException {
        Phone phone = new Phone();
        phones.add(phone);
        return phone;
    }

    private static CallId callId() {
        return new CallId("media-test-" + calls.incrementAndGet());
    }

    private MediaLeg answer(CallId call, String offer) throws NoCommonCodecException {
        MediaLeg leg = engine.answer(call, new LegId("caller-" + call.value()), offer);
        legs.add(leg);
        return leg;
    }

    /** Sends {@code audio} as 20 ms packets, one every 20 ms, like a phone. */
    private static ScheduledFuture<?> stream(Phone phone, int payloadType, short[] audio) {
        AtomicInteger at = new AtomicInteger();
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        ScheduledFuture<?> task = streams.scheduleAtFixedRate(() -> {
            int from = at.getAndAdd(160);
            if (from + 160 > audio.length) {
                done.complete(null);
                throw new IllegalStateException("stream finished"); // ends the schedule
            }
            try {
                phone.sendAudio(payloadType, java.util.Arrays.copyOfRange(audio, from, from + 160));
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
        return new Finished(task, done);
    }

    private static double dropped() {
        return meters.find("callflow.rtp.dropped").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** The mean level of the next 8 frames a phone receives. */
    private static double level(Phone phone) throws IOException {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < 8; i++) {
            Phone.Packet p = phone.receive(200);
            assertThat(p).as("a mixed frame").isNotNull();
            for (short s : p.samples()) {
                sum += s;
                n++;
            }
        }
        return sum / n;
    }

    private static short[] constant(int value) {
        short[] s = new short[160];
        java.util.Arrays.fill(s, (short) value);
        return s;
    }

    private static short[] repeat(short[] frame, int times) {
        short[][] all = new short[times][];
        java.util.Arrays.fill(all, frame);
        return Audio.concat(all);
    }

    private static double correlation(short[] a, short[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }

    private static int indexOfFirst(List<Phone.Packet> packets, java.util.function.Predicate<Phone.Packet> test) {
        for (int i = 0; i < packets.size(); i++) {
            if (test.test(packets.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** A paced stream as a future that completes when its audio has been sent. */
    private record Finished(ScheduledFuture<?> task, java.util.concurrent.CompletableFuture<Void> done)
            implements ScheduledFuture<Object> {
        public long getDelay(TimeUnit unit) {
            return task.getDelay(unit);
        }

        public int compareTo(java.util.concurrent.Delayed o) {
            return task.compareTo(o);
        }

        public boolean cancel(boolean interrupt) {
            done.complete(null);
            return task.cancel(interrupt);
        }

        public boolean isCancelled() {
            return task.isCancelled();
        }

        public boolean isDone() {
            return done.isDone();
        }

        public Object get() throws InterruptedException, java.util.concurrent.ExecutionException {
            return done.get();
        }

        public Object get(long timeout, TimeUnit unit) throws InterruptedException,
                java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
            return done.get(timeout, unit);
        }
    }
}
