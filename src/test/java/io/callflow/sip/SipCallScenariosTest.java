package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.callflow.call.AgentLegFailed;
import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallEvent;
import io.callflow.call.CallLanes;
import io.callflow.call.DigitsCollected;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegRinging;
import io.callflow.call.TransferRequested;
import io.callflow.media.MediaEndpoints;
import io.callflow.media.MediaProbe;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The B2BUA's call scenarios over real SIP, SIPp playing the caller on a trunk and the agent's phones: each DID maps
 * to a small flow ({@link SipTestFlows}) so the test decides which commands the B2BUA gets. Asserts what a caller,
 * an agent or an operator would notice: the SIP exchange itself (SIPp fails on any unexpected message), the call
 * events the flow sees, the call record, and that nothing is left behind.
 */
@SpringBootTest
@ActiveProfiles("test")
class SipCallScenariosTest {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001 }
              - { id: bob, sipUser: "1002", password: bob-1002 }
            dids:
              - { did: "300", flow: sip-answer-wait }
              - { did: "301", flow: sip-ring-only }
              - { did: "302", flow: sip-answer-hangup }
              - { did: "303", flow: sip-digits }
              - { did: "304", flow: sip-dial-agent }
              - { did: "305", flow: sip-dial-agent }
            """;
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", PROVISIONING)
            .with("processes/sip-answer-wait.bpmn", SipTestFlows.answerAndWait())
            .with("processes/sip-ring-only.bpmn", SipTestFlows.ringOnly())
            .with("processes/sip-answer-hangup.bpmn", SipTestFlows.answerAndHangUp())
            .with("processes/sip-digits.bpmn", SipTestFlows.collectTwoDigits())
            .with("processes/sip-dial-agent.bpmn", SipTestFlows.dialAgent());
    static final int SIP_PORT = freePort();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
        registry.add("callflow.sip.port", () -> SIP_PORT);
        registry.add("callflow.sip.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.bind-address", () -> "127.0.0.1");
        // Reconciliation sweeps often alongside real calls: it must never end a live one.
        registry.add("callflow.calls.sweep-interval", () -> "1s");
        registry.add("callflow.media.rtp-port-min", () -> 31000);
        // Below Linux's ephemeral ports (32768-60999), which SIPp and other programs take.
        registry.add("callflow.media.rtp-port-max", () -> 32767);
        // The load test here checks that every call is cleaned up, on a CI machine that may be slower than the load;
        // shedding (tested in OverloadSheddingTest) would turn some of its calls away before they start.
        registry.add("callflow.sip.overload.max-admission-delay", () -> "0s");
    }

    /** Every call event the flows see, in order. */
    @TestConfiguration
    static class EventLog {
        final List<CallEvent> events = new CopyOnWriteArrayList<>();

        @EventListener
        void on(CallEvent event) {
            events.add(event);
        }
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired EventLog eventLog;
    @Autowired SipHealthIndicator sip;
    @Autowired CallLanes lanes;
    @Autowired MediaEndpoints media;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @BeforeEach
    void clean() {
        eventLog.events.clear();
    }

    @AfterEach
    void unregisterAlicesPhones() throws Exception {
        Sipp.start("agent-unregister.xml", Sipp.freePort(), SIP_PORT, "-s", "1001", "-au", "1001",
                "-ap", "alice-1001").awaitSuccess(Duration.ofSeconds(20));
    }

    @Test
    void aCallerIsAnsweredAndHangsUp() throws Exception {
        caller("caller-hangup.xml", "300", "-d", "500").awaitSuccess(Duration.ofSeconds(20));

        Map<String, Object> record = endedRecord();
        assertThat(record).containsEntry("did", "300").containsEntry("hangup_cause", "REMOTE_HANGUP");
        assertCallStateDrained();
    }

    @Test
    void aCallerWhoNeverAcknowledgesTheAnswerIsHungUpAfter64T1() throws Exception {
        // RFC 3261 section 13.3.1.4: the 200 is retransmitted for 64*T1 (32 s), then the session ends with a BYE.
        caller("caller-never-acks.xml", "300").awaitSuccess(Duration.ofSeconds(70));

        assertThat(endedRecord()).containsEntry("hangup_cause", "FAILURE");
        assertCallStateDrained();
    }

    @Test
    void aCallOverTcpIsAnsweredAndHungUp() throws Exception {
        caller("caller-hangup.xml", "300", "-t", "t1", "-d", "300").awaitSuccess(Duration.ofSeconds(20));

        assertThat(endedRecord()).containsEntry("hangup_cause", "REMOTE_HANGUP");
        assertCallStateDrained();
    }

    @Test
    void callflowHangsUpAnAnsweredCall() throws Exception {
        caller("caller-hung-up-on.xml", "302").awaitSuccess(Duration.ofSeconds(20));

        assertThat(endedRecord()).containsEntry("outcome", "HungUpByCallflow");
        assertThat(eventLog.events).filteredOn(LegHungUp.class::isInstance).map(LegHungUp.class::cast)
                .extracting(LegHungUp::cause).containsExactly(io.callflow.call.HangupCause.LOCAL_HANGUP);
        assertCallStateDrained();
    }

    @Test
    void aCallerWhoCancelsBeforeTheAnswerGets487AndIsRecordedAsCancelled() throws Exception {
        caller("caller-cancel.xml", "301").awaitSuccess(Duration.ofSeconds(20));

        Map<String, Object> record = endedRecord();
        assertThat(record).containsEntry("hangup_cause", "CANCELLED").containsEntry("outcome", "CallerHungUpEnd");
        assertThat(record.get("answered_at")).isNull();
        assertCallStateDrained();
    }

    @Test
    void holdAndResumeReInvitesAndOptionsAreAnswered() throws Exception {
        caller("caller-hold-resume.xml", "300").awaitSuccess(Duration.ofSeconds(20));

        assertThat(endedRecord()).containsEntry("hangup_cause", "REMOTE_HANGUP");
        assertCallStateDrained();
    }

    @Test
    void dtmfInSipInfoOfBothContentTypesBecomesDigits() throws Exception {
        caller("caller-dtmf-info.xml", "303", "-d", "300").awaitSuccess(Duration.ofSeconds(20));

        assertThat(eventLog.events).filteredOn(DigitsCollected.class::isInstance).map(DigitsCollected.class::cast)
                .extracting(DigitsCollected::digits).containsExactly("57");
        assertCallStateDrained();
    }

    @Test
    void anAgentWhoAnswersIsConnectedAndTheCallerHangsUp() throws Exception {
        int agentPort = register();
        Sipp agent = Sipp.start("agent-answer.xml", agentPort, SIP_PORT, "-s", "1001");
        caller("caller-hangup.xml", "304", "-d", "1000").awaitSuccess(Duration.ofSeconds(20));
        agent.awaitSuccess(Duration.ofSeconds(10));

        assertThat(eventLog.events).filteredOn(LegAnswered.class::isInstance).hasSize(1);
        assertThat(endedRecord()).containsEntry("hangup_cause", "REMOTE_HANGUP");
        assertCallStateDrained();
    }

    @Test
    void anAgentWhoHangsUpEndsTheCallForTheCaller() throws Exception {
        int agentPort = register();
        Sipp agent = Sipp.start("agent-answer-hangup.xml", agentPort, SIP_PORT, "-s", "1001", "-d", "500");
        caller("caller-hung-up-on.xml", "304").awaitSuccess(Duration.ofSeconds(20));
        agent.awaitSuccess(Duration.ofSeconds(10));

        assertThat(endedRecord()).containsEntry("outcome", "AgentHungUp");
        assertCallStateDrained();
    }

    // RFC 3261 sections 21.4-21.6: busy (486, 600), declined (603), unavailable or unknown (480, 404), no answer
    // from the phone's side (408), anything else is a failure.
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({"486, Busy Here, BUSY, AgentBusy", "600, Busy Everywhere, BUSY, AgentBusy",
            "603, Decline, DECLINED, AgentNotReached", "480, Temporarily Unavailable, UNAVAILABLE, AgentNotReached",
            "404, Not Found, UNAVAILABLE, AgentNotReached", "408, Request Timeout, NO_RESPONSE, AgentNotReached",
            "500, Server Internal Error, FAILED, AgentNotReached"})
    void anAgentPhoneRejectingTheCallIsReportedWithItsOutcome(int code, String reason, AgentLegOutcome outcome,
            String flowEnd) throws Exception {
        Path scenario = Files.createTempFile("agent-rejects-" + code, ".xml");
        scenario.toFile().deleteOnExit();
        Files.writeString(scenario, Files.readString(Path.of("src/test/sipp/agent-rejects.xml"))
                .replace("CODE REASON", code + " " + reason));
        int agentPort = register();
        Sipp agent = Sipp.start(scenario.toString(), agentPort, SIP_PORT, "-s", "1001");
        caller("caller-hung-up-on.xml", "304").awaitSuccess(Duration.ofSeconds(20));
        agent.awaitSuccess(Duration.ofSeconds(10));

        assertThat(outcomes()).containsExactly(outcome);
        assertThat(endedRecord()).containsEntry("outcome", flowEnd);
        assertCallStateDrained();
    }

    @Test
    void anAgentWhoNeverAnswersIsCancelledOnTheRingTimeout() throws Exception {
        int agentPort = register();
        Sipp agent = Sipp.start("agent-no-answer.xml", agentPort, SIP_PORT, "-s", "1001");
        caller("caller-hung-up-on.xml", "304").awaitSuccess(Duration.ofSeconds(20));
        agent.awaitSuccess(Duration.ofSeconds(10));

        assertThat(eventLog.events).filteredOn(LegRinging.class::isInstance).map(LegRinging.class::cast)
                .extracting(LegRinging::status).containsExactly(180);
        assertThat(outcomes()).containsExactly(AgentLegOutcome.RING_TIMEOUT);
        assertThat(endedRecord()).containsEntry("outcome", "AgentRangOut");
        assertCallStateDrained();
    }

    @Test
    void anAgentWithoutAnyRegisteredPhoneIsUnavailable() throws Exception {
        // 305 dials bob, who has never registered a phone.
        caller("caller-hung-up-on.xml", "305").awaitSuccess(Duration.ofSeconds(20));

        assertThat(outcomes()).containsExactly(AgentLegOutcome.UNAVAILABLE);
        assertThat(endedRecord()).containsEntry("outcome", "AgentNotReached");
        assertCallStateDrained();
    }

    @Test
    void bothPhonesOfAnAgentRingAndTheOneNotAnsweringIsCancelled() throws Exception {
        int deskPort = register();
        int mobilePort = register();
        Sipp desk = Sipp.start("agent-answer.xml", deskPort, SIP_PORT, "-s", "1001");
        Sipp mobile = Sipp.start("agent-no-answer.xml", mobilePort, SIP_PORT, "-s", "1001");
        caller("caller-hangup.xml", "304", "-d", "1000").awaitSuccess(Duration.ofSeconds(20));
        desk.awaitSuccess(Duration.ofSeconds(10));
        mobile.awaitSuccess(Duration.ofSeconds(10));

        assertThat(eventLog.events).filteredOn(LegAnswered.class::isInstance).hasSize(1);
        assertThat(eventLog.events).filteredOn(LegRinging.class::isInstance).hasSize(1);
        assertThat(outcomes()).isEmpty();
        assertCallStateDrained();
    }

    @Test
    void anAgentTransfersTheCallerBlindWithRefer() throws Exception {
        int agentPort = register();
        Sipp agent = Sipp.start("agent-answer-refer.xml", agentPort, SIP_PORT, "-s", "1001");
        caller("caller-transferred.xml", "304").awaitSuccess(Duration.ofSeconds(20));
        agent.awaitSuccess(Duration.ofSeconds(10));

        assertThat(eventLog.events).filteredOn(TransferRequested.class::isInstance).map(TransferRequested.class::cast)
                .extracting(TransferRequested::target).singleElement().asString().startsWith("sip:2000@");
        assertThat(endedRecord()).containsEntry("outcome", "Transferred");
        assertCallStateDrained();
    }

    @Test
    void thousandsOfShortCallsLeaveNothingBehind() throws Exception {
        // Calls answered and hung up by Callflow, and calls cancelled while ringing, at the same time. Whether SIPp
        // keeps up on a loaded machine is not the point (a call it gives up on must be cleaned up all the same).
        Sipp hungUp = caller("caller-hung-up-on.xml", "302", "-m", "1500", "-r", "150", "-l", "300");
        Sipp cancelled = caller("caller-cancel.xml", "301", "-m", "500", "-r", "50", "-l", "100");
        boolean finished = false;
        try {
            hungUp.awaitFinished(Duration.ofSeconds(90));
            cancelled.awaitFinished(Duration.ofSeconds(90));
            finished = true;
        } catch (AssertionError behind) {
            // SIPp fell behind on a loaded machine and is stopped mid-call: its calls must end all the same, by
            // Callflow's own timers (an unacknowledged 487 or 200 ends its transaction after Timer H, 64*T1 = 32 s,
            // RFC 3261 section 17.2.1), so wait for that below rather than fail here.
            System.out.println("SIPp fell behind and was stopped: " + behind.getMessage().lines().findFirst()
                    .orElse(""));
        } finally {
            // Never leave a SIPp running when one of the two fails.
            hungUp.kill();
            cancelled.kill();
        }
        long sent = System.nanoTime();

        await().atMost(Duration.ofSeconds(75)).untilAsserted(() -> {
            var state = sip.state();
            assertThat(state.activeCalls()).as("calls").isZero();
            assertThat(state.sipCallIds()).as("SIP Call-IDs").isZero();
        });
        assertCallStateDrained();
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
            var state = sip.state();
            assertThat(state.dialogs()).as("dialogs").isZero();
            assertThat(state.serverTransactions()).as("server transactions").isZero();
            assertThat(state.clientTransactions()).as("client transactions").isZero();
        });
        System.out.printf("SIP state drained %d ms after the last call%n", (System.nanoTime() - sent) / 1_000_000);
        Map<String, Object> calls = jdbc.queryForMap("select count(*) as started, count(ended_at) as ended,"
                + " sum(case when hangup_cause = 'CANCELLED' then 1 else 0 end) as cancelled from call_record"
                + " where did in ('301', '302')");
        assertThat(calls.get("ended")).as("calls ended").isEqualTo(calls.get("started"));
        if (finished) {
            assertThat(((Number) calls.get("started")).intValue()).as("calls that reached a flow")
                    .isGreaterThan(1900);
            assertThat(((Number) calls.get("cancelled")).intValue()).as("calls cancelled").isGreaterThan(450);
        } else {
            assertThat(((Number) calls.get("cancelled")).intValue()).as("calls cancelled").isPositive();
        }
    }

    // ---- helpers ----

    private Sipp caller(String scenario, String did, String... extra) throws IOException {
        String[] args = new String[extra.length + 2];
        args[0] = "-s";
        args[1] = did;
        System.arraycopy(extra, 0, args, 2, extra.length);
        return Sipp.start(scenario, Sipp.freePort(), SIP_PORT, args);
    }

    /** Registers one more phone for alice (1001) and returns its port. */
    private int register() throws Exception {
        int port = Sipp.freePort();
        Sipp.start("agent-register.xml", port, SIP_PORT, "-s", "1001", "-au", "1001", "-ap", "alice-1001")
                .awaitSuccess(Duration.ofSeconds(20));
        return port;
    }

    private List<AgentLegOutcome> outcomes() {
        return eventLog.events.stream().filter(AgentLegFailed.class::isInstance).map(AgentLegFailed.class::cast)
                .map(AgentLegFailed::outcome).toList();
    }

    private Map<String, Object> endedRecord() {
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<Map<String, Object>> rows = jdbc.queryForList("select * from call_record order by started_at desc"
                    + " fetch first 1 rows only");
            return rows.isEmpty() ? null : rows.get(0);
        }, r -> r != null && r.get("ended_at") != null);
    }

    /**
     * The B2BUA, the call lanes and the media engine hold nothing once the call is over. JAIN-SIP keeps a finished
     * dialog for its linger time (8 s) to absorb retransmissions; {@link #thousandsOfShortCallsLeaveNothingBehind}
     * waits for those.
     */
    private void assertCallStateDrained() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var state = sip.state();
            assertThat(state.activeCalls()).as("calls").isZero();
            assertThat(state.sipCallIds()).as("SIP Call-IDs").isZero();
            assertThat(lanes.activeLanes()).as("call lanes").isZero();
            assertThat(MediaProbe.openLegs(media)).as("media legs").isZero();
            assertThat(MediaProbe.portsInUse(media)).as("RTP ports").isZero();
        });
    }

    private static int freePort() {
        try {
            return Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
