package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.callflow.call.CallEvent;
import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.CallLanes;
import io.callflow.call.HoldOutcome;
import io.callflow.call.LegHoldChanged;
import io.callflow.call.LegId;
import io.callflow.platform.ContentProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hold on a bridged call over real UDP, judged by what each phone hears (which tone dominates): the caller talks at
 * 500 Hz, the agent at 1000 Hz, music on hold is 880 Hz. A phone's re-INVITE hold (sendonly, inactive, c=0.0.0.0)
 * and the API's hold give the other side music; resuming brings the two voices back both ways.
 */
class HoldAudioTest {

    static final int CALLER_HZ = 500;
    static final int AGENT_HZ = 1000;
    static final int MUSIC_HZ = 880;
    static Path root;
    static BlockingQueue<CallEvent> events = new LinkedBlockingQueue<>();
    static NettyMediaEngine engine;
    static ScheduledExecutorService talk = Executors.newScheduledThreadPool(2);
    static int calls;

    final List<Phone> phones = new ArrayList<>();
    final List<MediaLeg> legs = new ArrayList<>();
    Phone caller;
    Phone agent;
    MediaLeg callerLeg;
    MediaLeg agentLeg;
    CallId call;

    @BeforeAll
    static void start() throws IOException {
        root = Files.createTempDirectory("hold-test");
        Files.createDirectories(root.resolve("prompts/moh"));
        Files.write(root.resolve("prompts/moh/default.wav"), Audio.wav(Audio.tones(MUSIC_HZ, 6000, 0, 0, 1000)));
        // Ports of this helper's range (45000-45499), apart from the application tests' ports.
        MediaProperties properties = new MediaProperties("127.0.0.1", "127.0.0.1", 45400, 45499,
                Duration.ofMillis(500), InbandDtmf.OFF, RecordingChannels.STEREO, root.resolve("recordings"), 1, true);
        ContentProperties content = new ContentProperties(root, root, root.resolve("prompts"), root, false,
                Duration.ofMillis(500));
        engine = new NettyMediaEngine(properties, new PromptLibrary(content), new CallEventPublisher(
                new CallLanes(Runnable::run), event -> events.add((CallEvent) event)), new SimpleMeterRegistry(), root);
    }

    @AfterAll
    static void stop() {
        engine.close();
        talk.shutdownNow();
    }

    @AfterEach
    void hangUp() {
        legs.forEach(engine::release);
        phones.forEach(Phone::close);
        events.clear();
    }

    @Test
    void anAgentPhoneHoldingWithSendonlyGivesTheCallerMusicAndResumeRestoresBothWays() throws Exception {
        bridged();
        assertThat(hears(caller)).isEqualTo(AGENT_HZ);
        assertThat(hears(agent)).isEqualTo(CALLER_HZ);

        String answer = engine.reoffer(agentLeg, agent.sdp("0", "a=sendonly"));
        assertThat(answer).contains("a=recvonly");
        assertThat(holdEvent()).isEqualTo(new Expected(true, false));
        assertThat(hears(caller)).as("the held caller").isEqualTo(MUSIC_HZ);
        agent.drain();
        assertThat(agent.receive(300)).as("a phone that holds is sent nothing").isNull();

        assertThat(engine.reoffer(agentLeg, agent.sdp("0", "a=sendrecv"))).contains("a=sendrecv");
        assertThat(holdEvent()).isEqualTo(new Expected(false, false));
        assertThat(hears(caller)).isEqualTo(AGENT_HZ);
        assertThat(hears(agent)).isEqualTo(CALLER_HZ);
    }

    @Test
    void aCallerHoldingTheOldWayWithANullAddressGivesTheAgentMusic() throws Exception {
        bridged();
        String offer = caller.sdp("0").replace("c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0");
        assertThat(engine.reoffer(callerLeg, offer)).contains("a=recvonly");
        assertThat(holdEvent()).isEqualTo(new Expected(true, true));
        assertThat(hears(agent)).as("the agent of a held call").isEqualTo(MUSIC_HZ);

        // Inactive (RFC 6337 section 5.3) is a hold too; back to sendrecv at the real address resumes.
        assertThat(engine.reoffer(callerLeg, caller.sdp("0", "a=inactive"))).contains("a=inactive");
        assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("still held: no change announced").isNull();
        assertThat(engine.reoffer(callerLeg, caller.sdp("0"))).contains("a=sendrecv");
        assertThat(holdEvent()).isEqualTo(new Expected(false, true));
        assertThat(hears(caller)).isEqualTo(AGENT_HZ);
        assertThat(hears(agent)).isEqualTo(CALLER_HZ);
    }

    @Test
    void anApiHoldGivesTheCallerMusicAndTheAgentSilence() throws Exception {
        CallId lonely = new CallId("hold-lonely");
        Phone alone = phone();
        legs.add(engine.answer(lonely, new LegId("caller-lonely"), alone.sdp("0")));
        assertThat(engine.holdCall(lonely, true, false)).as("no agent bridged").isEqualTo(HoldOutcome.NO_AGENT);

        bridged();
        assertThat(hears(caller)).as("bridged").isEqualTo(AGENT_HZ);
        assertThat(engine.holdCall(call, true, false)).isEqualTo(HoldOutcome.CHANGED);
        assertThat(engine.holdCall(call, true, false)).isEqualTo(HoldOutcome.ALREADY);
        assertThat(hears(caller)).isEqualTo(MUSIC_HZ);
        agent.drain();
        List<Phone.Packet> toAgent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Phone.Packet p = agent.receive(200);
            assertThat(p).as("the held agent keeps getting RTP").isNotNull();
            toAgent.add(p);
        }
        assertThat(toAgent).allSatisfy(p -> assertThat(Audio.rms(p.samples())).isLessThan(50));

        assertThat(engine.holdCall(call, false, false)).isEqualTo(HoldOutcome.CHANGED);
        assertThat(hears(caller)).isEqualTo(AGENT_HZ);
        assertThat(hears(agent)).isEqualTo(CALLER_HZ);
    }

    @Test
    void theRecordingGoesOnAcrossTheHoldWithTheMusicTheCallerHeard() throws Exception {
        bridged();
        assertThat(hears(caller)).as("bridged").isEqualTo(AGENT_HZ);
        engine.startRecording(call);
        Thread.sleep(400);
        engine.holdCall(call, true, false);
        Thread.sleep(1000);
        engine.holdCall(call, false, false);
        Thread.sleep(400);
        engine.stopRecording(call);
        Path file = root.resolve("recordings").resolve(call.value() + ".wav");
        Thread.sleep(300);
        byte[] wav = Files.readAllBytes(file);
        java.nio.ByteBuffer data = java.nio.ByteBuffer.wrap(wav).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int frames = (wav.length - 44) / 4;
        int musicInAgentChannel = 0;
        int silentCallerChannel = 0;
        int callerTalking = 0;
        for (int block = 0; block + 160 <= frames; block += 160) {
            short[] left = new short[160];
            short[] right = new short[160];
            for (int i = 0; i < 160; i++) {
                left[i] = data.getShort(44 + (block + i) * 4);
                right[i] = data.getShort(44 + (block + i) * 4 + 2);
            }
            musicInAgentChannel += goertzel(right, MUSIC_HZ) > 10 * goertzel(right, AGENT_HZ) ? 1 : 0;
            silentCallerChannel += Audio.rms(left) == 0 ? 1 : 0;
            callerTalking += goertzel(left, CALLER_HZ) > 0 && Audio.rms(left) > 1000 ? 1 : 0;
        }
        System.out.printf("hold recording: %d frames of 20 ms, %d with music (agent channel), %d silent (caller"
                + " channel), %d with the caller's voice%n", frames / 160, musicInAgentChannel, silentCallerChannel,
                callerTalking);
        assertThat(musicInAgentChannel).as("about 1 s of music: 50 frames").isBetween(35, 60);
        assertThat(silentCallerChannel).as("what the held caller said is not kept").isBetween(35, 60);
        assertThat(callerTalking).as("before and after the hold").isGreaterThan(20);
    }

    private void bridged() throws Exception {
        call = new CallId("hold-test-" + ++calls);
        caller = phone();
        agent = phone();
        callerLeg = engine.answer(call, new LegId("caller-" + call.value()), caller.sdp("0"));
        legs.add(callerLeg);
        caller.sendingTo(callerLeg.localSdp());
        agentLeg = engine.offer(call, new LegId("agent-" + call.value()));
        legs.add(agentLeg);
        engine.answered(agentLeg, agent.sdp("0"));
        agent.sendingTo(agentLeg.localSdp());
        talk(caller, CALLER_HZ);
        talk(agent, AGENT_HZ);
        engine.bridge(call, agentLeg.legId());
    }

    /** The phone sends its tone every 20 ms until the test ends (closing the phone ends the schedule). */
    private static void talk(Phone phone, int hertz) {
        short[] frame = Audio.tones(hertz, 6000, 0, 0, 20);
        talk.scheduleAtFixedRate(() -> {
            try {
                phone.sendAudio(0, frame);
            } catch (IOException e) {
                throw new IllegalStateException("phone closed", e); // ends the schedule
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
    }

    /** The tone that dominates 10 frames a phone receives, after what was on its way is dropped. */
    private static int hears(Phone phone) throws IOException {
        phone.drain();
        for (int i = 0; i < 5; i++) {
            phone.receive(300); // frames already on their way when the state changed
        }
        double[] power = new double[3];
        int[] tones = {CALLER_HZ, AGENT_HZ, MUSIC_HZ};
        for (int i = 0; i < 10; i++) {
            Phone.Packet p = phone.receive(300);
            assertThat(p).as("audio on the phone").isNotNull();
            for (int t = 0; t < tones.length; t++) {
                power[t] += goertzel(p.samples(), tones[t]);
            }
        }
        int best = 0;
        for (int t = 1; t < tones.length; t++) {
            best = power[t] > power[best] ? t : best;
        }
        return tones[best];
    }

    private static double goertzel(short[] samples, double hertz) {
        double coefficient = 2 * Math.cos(2 * Math.PI * hertz / 8000);
        double s1 = 0;
        double s2 = 0;
        for (short sample : samples) {
            double s = sample + coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    }

    private Expected holdEvent() throws InterruptedException {
        CallEvent event;
        do {
            event = events.poll(2, TimeUnit.SECONDS);
            assertThat(event).as("a hold change within 2 s").isNotNull();
        } while (!(event instanceof LegHoldChanged));
        LegHoldChanged change = (LegHoldChanged) event;
        return new Expected(change.held(), change.callerSide());
    }

    private Phone phone() throws IOException {
        Phone phone = new Phone();
        phones.add(phone);
        return phone;
    }

    private record Expected(boolean held, boolean callerSide) {
    }
}
