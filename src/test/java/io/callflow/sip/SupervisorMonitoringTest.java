package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.callflow.flow.MonitorMode;
import io.callflow.flow.SupervisorMonitoring;
import io.callflow.support.Baresip;
import io.callflow.support.TestContent;
import io.callflow.support.Tones;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Supervisor listen, whisper and barge with real phones (baresip): caller, agent and supervisor each send their own
 * tone, and each phone's recording of what it heard shows who hears whom in every mode, switched mid-call; hang-ups in
 * the middle leave nothing stuck.
 */
@SpringBootTest
@ActiveProfiles("test")
class SupervisorMonitoringTest {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001 }
              - { id: carol, sipUser: "1003", password: carol-1003 }
            dids:
              - { did: "400", flow: monitor-agent }
            """;
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", PROVISIONING)
            .with("processes/monitor-agent.bpmn", SipTestFlows.menuThenAgent("monitor-agent", false));
    static final int SIP_PORT = RunningCallflow.freePort();
    static final Duration SIGNALLING = Duration.ofSeconds(10);
    static final double CALLER = 500;
    static final double AGENT = 1100;
    static final double SUPERVISOR = 1900;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        // This test's RTP range: Callflow 46000-46199, the phones 46200-46499.
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 46000, 46199);
    }

    static Path callerTone;
    static Path agentTone;
    static Path supervisorTone;

    @Autowired SupervisorMonitoring monitoring;
    @Autowired JdbcTemplate jdbc;

    @BeforeAll
    static void tones() throws Exception {
        Baresip.require();
        callerTone = Tones.wav(CALLER, 30);
        agentTone = Tones.wav(AGENT, 30);
        supervisorTone = Tones.wav(SUPERVISOR, 30);
    }

    @Test
    void listenWhisperBargeEachHearWhatTheModeSaysAndTheSupervisorLeavesAlone() throws Exception {
        try (Phones phones = Phones.start()) {
            Baresip caller = phones.caller();
            Baresip agent = phones.agent();
            Baresip supervisor = phones.supervisor();
            String callId = connect(caller, agent, supervisor);

            superviseAndAnswer(supervisor, callId, MonitorMode.LISTEN);
            supervisor.awaitEvent("CALL_RTPESTAB", SIGNALLING);

            Heard listen = listenTo(caller, agent, supervisor);
            assertThat(hears(listen.supervisor, CALLER)).as("listen: the supervisor hears the caller").isTrue();
            assertThat(hears(listen.supervisor, AGENT)).as("listen: the supervisor hears the agent").isTrue();
            assertThat(hears(listen.caller, SUPERVISOR)).as("listen: the caller does not hear the supervisor")
                    .isFalse();
            assertThat(hears(listen.agent, SUPERVISOR)).as("listen: the agent does not hear the supervisor")
                    .isFalse();
            assertThat(hears(listen.caller, AGENT)).as("listen: caller and agent talk on").isTrue();

            monitoring.switchMode(callId, MonitorMode.WHISPER, "boss");
            Heard whisper = listenTo(caller, agent, supervisor);
            assertThat(hears(whisper.agent, SUPERVISOR)).as("whisper: the agent hears the supervisor").isTrue();
            assertThat(hears(whisper.agent, CALLER)).as("whisper: the agent hears the caller").isTrue();
            assertThat(hears(whisper.caller, SUPERVISOR)).as("whisper: the caller does not").isFalse();

            monitoring.switchMode(callId, MonitorMode.BARGE, "boss");
            Heard barge = listenTo(caller, agent, supervisor);
            assertThat(hears(barge.caller, SUPERVISOR)).as("barge: the caller hears the supervisor").isTrue();
            assertThat(hears(barge.caller, AGENT)).as("barge: the caller hears the agent").isTrue();
            assertThat(hears(barge.agent, SUPERVISOR)).as("barge: the agent hears the supervisor").isTrue();
            assertThat(hears(barge.supervisor, CALLER)).as("barge: the supervisor hears the caller").isTrue();

            // The supervisor hangs up: only the monitoring ends, caller and agent talk on.
            supervisor.hangUp();
            supervisor.awaitEvent("CALL_CLOSED", SIGNALLING);
            await().atMost(SIGNALLING).until(() -> monitoring.find(callId).isEmpty());
            Heard after = listenTo(caller, agent);
            assertThat(hears(after.caller, AGENT)).as("after: the caller hears the agent").isTrue();
            assertThat(hears(after.agent, CALLER)).as("after: the agent hears the caller").isTrue();
            assertThat(openRecord(callId)).isTrue();

            // Again, and this time the caller hangs up: the call ends and the supervisor's leg with it.
            superviseAndAnswer(supervisor, callId, MonitorMode.BARGE);
            caller.hangUp();
            agent.awaitEvent("CALL_CLOSED", SIGNALLING);
            await().atMost(SIGNALLING).until(() -> supervisor.events().stream()
                    .filter(e -> e.path("type").asText().equals("CALL_CLOSED")).count() == 2);
            await().atMost(SIGNALLING).until(() -> !openRecord(callId));
            assertThat(monitoring.find(callId)).isEmpty();
            List<String> actions = jdbc.queryForList("select action from call_action where call_id = ? order by at",
                    String.class, callId);
            assertThat(actions).containsSubsequence("MONITOR_START", "MONITOR_MODE", "MONITOR_MODE", "MONITOR_STOP",
                    "MONITOR_START");
        }
    }

    @Test
    void theAgentHangingUpWhileTheSupervisorListensEndsTheCallAndTheSupervisorsLeg() throws Exception {
        try (Phones phones = Phones.start()) {
            Baresip caller = phones.caller();
            Baresip agent = phones.agent();
            Baresip supervisor = phones.supervisor();
            String callId = connect(caller, agent, supervisor);
            superviseAndAnswer(supervisor, callId, MonitorMode.LISTEN);
            agent.hangUp();
            caller.awaitEvent("CALL_CLOSED", SIGNALLING);
            supervisor.awaitEvent("CALL_CLOSED", SIGNALLING);
            await().atMost(SIGNALLING).until(() -> !openRecord(callId));
            assertThat(monitoring.find(callId)).isEmpty();
        }
    }

    /** Caller to agent, connected with audio both ways; the supervisor's phone registered. Returns the call id. */
    private String connect(Baresip caller, Baresip agent, Baresip supervisor) {
        agent.awaitEvent("REGISTER_OK", SIGNALLING);
        supervisor.awaitEvent("REGISTER_OK", SIGNALLING);
        try {
            caller.dial("sip:400@127.0.0.1:" + SIP_PORT);
            agent.awaitEvent("CALL_INCOMING", SIGNALLING);
            agent.accept();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        caller.awaitEvent("CALL_RTPESTAB", SIGNALLING);
        agent.awaitEvent("CALL_RTPESTAB", SIGNALLING);
        return await().atMost(SIGNALLING).until(() -> jdbc.queryForList("select call_id from call_record where did"
                + " = '400' and ended_at is null", String.class), ids -> ids.size() == 1).get(0);
    }

    /** Starts monitoring from carol's phone (ringing first), answers it, and waits until the supervisor is in. */
    private void superviseAndAnswer(Baresip supervisor, String callId, MonitorMode mode) throws Exception {
        Map<String, Object> started = monitoring.start(callId, mode, "carol", "boss");
        assertThat(started).containsEntry("status", "RINGING").containsEntry("mode", mode.name());
        supervisor.awaitEvent("CALL_INCOMING", SIGNALLING);
        supervisor.accept();
        await().atMost(SIGNALLING).until(() -> "CONNECTED".equals(monitoring.find(callId).orElseThrow()
                .get("status")));
    }

    /** The three phones, each sending its own tone, in this test's RTP ports. */
    private record Phones(Baresip caller, Baresip agent, Baresip supervisor) implements AutoCloseable {

        static Phones start() throws Exception {
            return new Phones(Baresip.caller().source(callerTone).rtpPorts(46400, 46499).start(),
                    Baresip.agent("1001", "alice-1001", SIP_PORT).source(agentTone).rtpPorts(46200, 46299).start(),
                    Baresip.agent("1003", "carol-1003", SIP_PORT).source(supervisorTone).rtpPorts(46300, 46399)
                            .start());
        }

        @Override
        public void close() throws Exception {
            try (caller; agent; supervisor) {
                // closes all three, whatever fails
            }
        }
    }

    private boolean openRecord(String callId) {
        return jdbc.queryForObject("select count(*) from call_record where call_id = ? and ended_at is null",
                Integer.class, callId) == 1;
    }

    /** What each phone heard over 1.5 s, from 0.4 s after now (the mix settles, a mode switch takes effect). */
    private static Heard listenTo(Baresip caller, Baresip agent, Baresip... supervisor) throws Exception {
        Thread.sleep(400);
        long c = Files.size(caller.heard());
        long a = Files.size(agent.heard());
        long s = supervisor.length == 0 ? 0 : Files.size(supervisor[0].heard());
        Thread.sleep(1500);
        return new Heard(Tones.readSince(caller.heard(), c), Tones.readSince(agent.heard(), a),
                supervisor.length == 0 ? new short[0] : Tones.readSince(supervisor[0].heard(), s));
    }

    /** Whether at least a third of the 20 ms blocks carry the tone clearly (a mode heard), or hardly any (not heard). */
    private static boolean hears(short[] heard, double hertz) {
        return Tones.heard(heard, hertz);
    }

    /** What caller, agent and supervisor heard in one stretch of the call. */
    private record Heard(short[] caller, short[] agent, short[] supervisor) {
        @Override
        public String toString() {
            return "Heard" + Arrays.asList(caller.length, agent.length, supervisor.length);
        }
    }
}
