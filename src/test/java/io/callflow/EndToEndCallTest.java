package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.support.Sipp;
import io.callflow.support.Wavs;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Calls end to end over real SIP and RTP: SIPp phones register with digest auth and answer (echoing audio), a SIPp
 * caller on a trunk dials the main number, presses 1 (RFC 2833), is queued, connected, talks and hangs up. Asserts
 * the call record, the queue log, the agents' states, the process history and the recording.
 */
@SpringBootTest
@ActiveProfiles("test")
@DirtiesContext
class EndToEndCallTest {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
              - { id: bob, sipUser: "1002", password: bob-1002, skills: { english: 6 } }
            queues:
              - { name: sales, strategy: longest-idle, ringTimeoutSeconds: 3, wrapUpSeconds: 1, maxWaitSeconds: 120,
                  joinWhenEmpty: true, members: [ alice, bob ] }
              - { name: callback, joinWhenEmpty: true, ringTimeoutSeconds: 3, wrapUpSeconds: 1,
                  members: [ alice, bob ] }
            dids:
              - { did: "100", flow: inbound-call }
            """;
    // Open around the clock, so the test does not depend on when it runs.
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", PROVISIONING);
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
        // Helpers run application tests side by side: each keeps its own RTP ports.
        registry.add("callflow.media.rtp-port-min", () -> 39000);
        registry.add("callflow.media.rtp-port-max", () -> 39999);
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;
    @Autowired HistoryService history;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @BeforeEach
    void everyoneOffline() {
        jdbc.update("delete from sip_registration");
        jdbc.update("update agent set state = 'OFFLINE', registered = false, current_call = null, missed_offers = 0");
    }

    @Test
    void aCallerPressesOneIsQueuedConnectedTalksAndHangsUp() throws Exception {
        int alicePort = Sipp.freePort();
        register("1001", "alice-1001", alicePort);
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);

        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        Sipp caller = Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "4000",
                "-mp", Integer.toString(Sipp.freePort()));
        caller.awaitSuccess(Duration.ofSeconds(60));
        agent.awaitSuccess(Duration.ofSeconds(30));

        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(this::lastRecord,
                r -> r != null && r.get("ended_at") != null);
        assertThat(record).containsEntry("outcome", "CallCompletedByCaller").containsEntry("agent", "alice")
                .containsEntry("queue_name", "sales").containsEntry("menu_choice", "1")
                .containsEntry("caller", "+4930123456").containsEntry("did", "100");
        String callId = (String) record.get("call_id");
        assertThat(jdbc.queryForList("select event from queue_log where call_id = ? order by id", String.class, callId))
                .containsExactly("ENTERQUEUE", "CONNECT", "COMPLETE");
        assertThat(jdbc.queryForList("select to_state from agent_state_log where agent_id = 'alice' and call_id = ?"
                + " order by id", String.class, callId)).containsSubsequence("RESERVED", "RINGING", "ON_CALL", "WRAP_UP");
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
        var instance = history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(callId).singleResult();
        assertThat(instance.getEndTime()).isNotNull();
        assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(instance.getId()).list())
                .extracting(a -> a.getActivityId())
                .contains("MainMenu", "RouteByRules", "EnqueueCall", "OfferToAgent", "BridgeCall", "CallerHungUp");

        // Audio both ways: the caller's A-law speech on the left, the agent's (echoed, transcoded) on the right.
        Path recording = CONTENT.root().resolve("data/recordings/" + callId + ".wav");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.size(recording) > 44);
        double[] rms = Wavs.channelRms(recording);
        assertThat(rms[0]).as("caller channel loudness").isGreaterThan(300);
        assertThat(rms[1]).as("agent channel loudness").isGreaterThan(300);
        // From recording start (just before the bridge) to the BYE: the 7.1 s of speech in g711a.pcap and the
        // scenario's 7.5 s pause after it starts, paced in real time rather than packet by packet.
        double seconds = (Files.size(recording) - 44) / 4 / 8000.0;
        assertThat(seconds).as("recording duration").isBetween(7.0, 12.0);
    }

    @Test
    void anAgentWhoDoesNotAnswerIsSkippedAndTheNextOneGetsTheCall() throws Exception {
        int alicePort = Sipp.freePort();
        int bobPort = Sipp.freePort();
        register("1001", "alice-1001", alicePort);
        register("1002", "bob-1002", bobPort);
        await().atMost(Duration.ofSeconds(10)).until(() -> state("bob") == AgentState.AVAILABLE);
        // alice has been idle longest (longest-idle strategy), so she is offered the call first.
        jdbc.update("update agent set state_since = ? where id = 'alice'",
                java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(600)));

        Sipp alice = Sipp.start("agent-no-answer.xml", alicePort, SIP_PORT, "-s", "1001");
        Sipp bob = Sipp.start("agent-answer.xml", bobPort, SIP_PORT, "-s", "1002", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        Sipp caller = Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "9000",
                "-mp", Integer.toString(Sipp.freePort()));
        caller.awaitSuccess(Duration.ofSeconds(60));
        alice.awaitSuccess(Duration.ofSeconds(10));
        bob.awaitSuccess(Duration.ofSeconds(30));

        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(this::lastRecord,
                r -> r != null && r.get("ended_at") != null);
        assertThat(record).containsEntry("agent", "bob").containsEntry("offer_attempts", 1);
        assertThat(jdbc.queryForList("select event || ':' || coalesce(agent_id, '') from queue_log where call_id = ?"
                + " order by id", String.class, record.get("call_id")))
                .containsExactly("ENTERQUEUE:", "RINGNOANSWER:alice", "CONNECT:bob", "COMPLETE:bob");
    }

    @Test
    void aCallWaitsWhileNoAgentIsLoggedInAndIsConnectedWhenOneRegisters() throws Exception {
        int alicePort = Sipp.freePort();
        Sipp caller = Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "8000",
                "-mp", Integer.toString(Sipp.freePort()));
        Map<String, Object> queued = await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.queryForList(
                "select call_id from queue_entry where queue_name = 'sales'"), rows -> !rows.isEmpty()).get(0);

        register("1001", "alice-1001", alicePort);
        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        caller.awaitSuccess(Duration.ofSeconds(60));
        agent.awaitSuccess(Duration.ofSeconds(30));

        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(this::lastRecord,
                r -> r != null && r.get("ended_at") != null);
        assertThat(record).containsEntry("call_id", queued.get("call_id")).containsEntry("agent", "alice")
                .containsEntry("outcome", "CallCompletedByCaller");
    }

    @Test
    void aCallerWhoHangsUpWhileQueuedIsRecordedAsAbandoned() throws Exception {
        // Nobody is logged in: the caller waits in sales, hears the position announcement and music, then hangs up.
        Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "1000",
                "-mp", Integer.toString(Sipp.freePort())).awaitSuccess(Duration.ofSeconds(60));

        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(this::lastRecord,
                r -> r != null && r.get("ended_at") != null);
        assertThat(record).containsEntry("outcome", "CallAbandoned").containsEntry("queue_name", "sales")
                .containsEntry("hangup_cause", "REMOTE_HANGUP");
        assertThat(record.get("agent")).isNull();
        assertThat(jdbc.queryForList("select event from queue_log where call_id = ? order by id", String.class,
                record.get("call_id"))).containsExactly("ENTERQUEUE", "ABANDON");
        assertThat(jdbc.queryForObject("select count(*) from queue_entry", Integer.class)).isZero();
    }

    @Test
    void aKeyThatIsNoChoiceReplaysTheMenuAndTheNextKeyCounts() throws Exception {
        // RFC 2833 9 (no such choice), then 1 while the menu is announced again; nobody is logged in, so the caller
        // waits in sales and hangs up.
        Sipp.start("caller-menu-9-then-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "2000",
                "-mp", Integer.toString(Sipp.freePort())).awaitSuccess(Duration.ofSeconds(60));

        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(this::lastRecord,
                r -> r != null && r.get("ended_at") != null);
        assertThat(record).containsEntry("menu_choice", "1").containsEntry("queue_name", "sales");
        var instance = history.createHistoricProcessInstanceQuery()
                .processInstanceBusinessKey((String) record.get("call_id")).singleResult();
        assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(instance.getId())
                .activityId("MainMenu").count()).as("the menu ran twice").isEqualTo(2);
    }

    @Test
    void wrongPasswordIsRefusedAndTheAgentStaysOffline() throws Exception {
        Sipp.start("agent-register-refused.xml", Sipp.freePort(), SIP_PORT, "-s", "1001", "-au", "1001",
                "-ap", "not-the-password").awaitSuccess(Duration.ofSeconds(20));
        assertThat(state("alice")).isEqualTo(AgentState.OFFLINE);
        assertThat(jdbc.queryForObject("select count(*) from sip_registration", Integer.class)).isZero();
    }

    @Test
    void anUnknownNumberIsNotFound() throws Exception {
        Sipp.start("caller-unknown-number.xml", Sipp.freePort(), SIP_PORT, "-s", "999")
                .awaitSuccess(Duration.ofSeconds(20));
    }

    @Test
    void anOfferWithoutPcmuOrPcmaIsRefusedWith488() throws Exception {
        Sipp.start("caller-no-common-codec.xml", Sipp.freePort(), SIP_PORT, "-s", "100")
                .awaitSuccess(Duration.ofSeconds(20));
    }

    private void register(String user, String password, int port) throws Exception {
        Sipp.start("agent-register.xml", port, SIP_PORT, "-s", user, "-au", user, "-ap", password)
                .awaitSuccess(Duration.ofSeconds(20));
    }

    private AgentState state(String agentId) {
        return agents.find(agentId).orElseThrow().state();
    }

    private Map<String, Object> lastRecord() {
        List<Map<String, Object>> rows = jdbc.queryForList("select * from call_record order by started_at desc"
                + " fetch first 1 rows only");
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static int freePort() {
        try {
            return Sipp.freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
