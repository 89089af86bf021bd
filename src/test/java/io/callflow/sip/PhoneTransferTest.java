package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Attended transfer from the agent's own phone over real SIP and RTP: a SIPp caller on a trunk (127.0.0.2) reaches
 * alice, whose hand-written phone ({@link TransferringPhone}) calls bob (a SIPp phone that echoes) by extension and
 * sends REFER with Replaces on the caller's dialog. Bad REFERs get 400/481/403 and leave the caller with alice; the
 * good one connects the caller with bob (the recording, one file, hears both after the transfer), ends alice's two
 * legs (NOTIFY 200, BYEs; her phone hears nothing more), logs the TRANSFER and the trail. A caller hanging up in the
 * middle of a phone consultation leaves nothing stuck.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PhoneTransferTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                      - { id: bob, sipUser: "1002", password: bob-1002, skills: { english: 6 } }
                      - { id: boss, sipUser: "1003", password: boss-1003, skills: { english: 1 } }
                    queues:
                      - { name: sales, ringTimeoutSeconds: 10, wrapUpSeconds: 1, maxWaitSeconds: 120,
                          joinWhenEmpty: true, members: [ alice ] }
                    dids:
                      - { did: "100", flow: inbound-call }
                    dialPlan:
                      extensions:
                        - { number: "201", agent: alice }
                        - { number: "202", agent: bob }
                      features:
                        - { code: "*30", feature: listen }
                        - { code: "*31", feature: whisper }
                        - { code: "*32", feature: barge }
                    """);
    static final int SIP_PORT = freePort();
    static final Duration SIP = Duration.ofSeconds(60);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Sipp.requireSipp();
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
        registry.add("callflow.sip.port", () -> SIP_PORT);
        registry.add("callflow.sip.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.bind-address", () -> "127.0.0.1");
        // Helpers run application tests side by side: each keeps its own RTP ports.
        registry.add("callflow.media.rtp-port-min", () -> 43000);
        registry.add("callflow.media.rtp-port-max", () -> 43999);
        // The caller's trunk is 127.0.0.2; the agents' phones on 127.0.0.1 place calls as agents.
        registry.add("callflow.sip.trunks[0].name", () -> "pstn");
        registry.add("callflow.sip.trunks[0].cidrs[0]", () -> "127.0.0.2/32");
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;
    @Autowired CallControl callControl;
    @Autowired IdentityService identityService;
    @Autowired io.callflow.flow.SupervisorMonitoring monitoring;

    @BeforeAll
    void supervisor() {
        User boss = identityService.newUser("boss");
        boss.setPassword("boss-password");
        identityService.saveUser(boss);
        identityService.createMembership("boss", "callflow-supervisor");
    }

    int alicePort;
    int bobPort;

    @BeforeEach
    void bothAgentsAvailable() throws Exception {
        jdbc.update("delete from sip_registration");
        jdbc.update("update agent set state = 'OFFLINE', registered = false, current_call = null, missed_offers = 0");
        alicePort = freePort();
        bobPort = freePort();
        register("1001", "alice-1001", alicePort);
        register("1002", "bob-1002", bobPort);
        await().atMost(Duration.ofSeconds(20)).until(() -> state("alice") == AgentState.AVAILABLE
                && state("bob") == AgentState.AVAILABLE);
    }

    @Test
    void theAgentsPhoneTransfersTheCallerToTheColleagueItConsulted() throws Exception {
        Sipp bob = Sipp.start("agent-answer.xml", bobPort, SIP_PORT, "-s", "1002", "-rtp_echo", "-mp",
                Integer.toString(freePort()));
        // The caller is quiet for 20 s (the transfer happens meanwhile), then talks and hangs up.
        Sipp caller = Sipp.start("caller-menu-1-talks-late.xml", freePort(), SIP_PORT, "-i", "127.0.0.2", "-s",
                "100", "-d", "20000", "-mp", Integer.toString(freePort()));
        try (var phone = new TransferringPhone(alicePort, SIP_PORT, "1001", "alice-1001")) {
            TransferringPhone.Dialog first = phone.answer(SIP);
            String callId = await().atMost(SIP).until(() -> currentCall("alice"), id -> id != null);
            Instant recordingStarted = Instant.now();
            callControl.startRecording(new CallId(callId));

            // The agent holds the caller (Callflow anchors the media) and calls bob from the phone.
            TransferringPhone.Dialog consultation = phone.call("202", SIP);
            await().atMost(SIP).until(() -> state("bob") == AgentState.ON_CALL);
            assertThat(state("alice")).as("still the caller's agent").isEqualTo(AgentState.ON_CALL);

            // Bad transfers: refused with a reason, and the caller stays with alice.
            assertThat(phone.refer(first, "<sip:202@callflow.local?Replaces=no-tags-here>", SIP))
                    .startsWith("SIP/2.0 400");
            assertThat(phone.refer(first, "<sip:202@callflow.local?Replaces=" + TransferringPhone.escape(
                    "unknown@127.0.0.1;to-tag=a;from-tag=b") + ">", SIP)).startsWith("SIP/2.0 481");
            assertThat(phone.refer(first, "<sip:202@callflow.local?Replaces=" + TransferringPhone.escape(
                    consultation.callId() + ";to-tag=wrong;from-tag=" + consultation.localTag()) + ">", SIP))
                    .startsWith("SIP/2.0 481");
            assertThat(phone.refer(consultation, TransferringPhone.referToReplacing("100", first), SIP))
                    .as("a REFER on the consultation call, from its caller's side").startsWith("SIP/2.0 403");
            assertThat(state("alice")).isEqualTo(AgentState.ON_CALL);
            assertThat(currentCall("alice")).isEqualTo(callId);

            assertThat(phone.refer(first, TransferringPhone.referToReplacing("202", consultation), SIP))
                    .startsWith("SIP/2.0 202");
            Instant transferred = Instant.now();
            await().atMost(SIP).until(() -> phone.byes.containsAll(List.of(first.callId(), consultation.callId())));
            assertThat(phone.notifies.get(first.callId())).as("RFC 3515 section 2.4.5")
                    .anyMatch(body -> body.startsWith("SIP/2.0 200"));
            await().atMost(SIP).until(() -> state("alice") != AgentState.ON_CALL);
            await().atMost(SIP).until(() -> callId.equals(currentCall("bob")));
            assertThat(state("bob")).isEqualTo(AgentState.ON_CALL);
            // Alice's phone hears nothing any more: no RTP reaches either of its sockets.
            long heardFirst = phone.firstRtp.received.get();
            long heardSecond = phone.secondRtp.received.get();

            caller.awaitSuccess(Duration.ofSeconds(90));
            bob.awaitSuccess(SIP);
            assertThat(phone.firstRtp.received.get()).isEqualTo(heardFirst);
            assertThat(phone.secondRtp.received.get()).isEqualTo(heardSecond);

            Map<String, Object> record = await().atMost(SIP).until(() -> record(callId),
                    r -> r.get("ended_at") != null);
            assertThat(record).containsEntry("agent", "bob");
            Map<String, Object> consultRecord = jdbc.queryForMap("select * from call_record where direction ="
                    + " 'internal' order by started_at desc limit 1");
            assertThat(consultRecord).containsEntry("outcome", "TRANSFERRED").containsEntry("did", "202");
            assertThat(jdbc.queryForMap("select queue_name, agent_id, data1, data3 from queue_log where call_id = ?"
                    + " and event = 'TRANSFER'", callId)).containsEntry("queue_name", "sales")
                    .containsEntry("agent_id", "alice").containsEntry("data1", "agent:bob")
                    .containsEntry("data3", "attended");
            assertThat(jdbc.queryForList("select action from call_action where call_id = ? order by id",
                    String.class, callId)).containsSubsequence("CONSULT", "CONSULT_COMPLETED");
            nothingStuck();

            // One recording for the call: after the transfer the caller talks (left) and hears bob's echo (right).
            Path wav = CONTENT.root().resolve("data/recordings/" + callId + ".wav");
            await().atMost(SIP).until(() -> Files.exists(wav) && Files.size(wav) > 44);
            double[] after = rmsFrom(wav, Duration.between(recordingStarted, transferred).plusSeconds(2));
            assertThat(after[0]).as("the caller's voice, which bob hears").isGreaterThan(300);
            assertThat(after[1]).as("bob's echo of it, which the caller hears").isGreaterThan(300);
        }
    }

    @Test
    void aCallerHangingUpDuringAPhoneConsultationLeavesNothingStuck() throws Exception {
        Sipp bob = Sipp.start("agent-answer.xml", bobPort, SIP_PORT, "-s", "1002", "-rtp_echo", "-mp",
                Integer.toString(freePort()));
        Sipp caller = Sipp.start("caller-menu-1-talks-late.xml", freePort(), SIP_PORT, "-i", "127.0.0.2", "-s",
                "100", "-d", "1000", "-mp", Integer.toString(freePort()));
        try (var phone = new TransferringPhone(alicePort, SIP_PORT, "1001", "alice-1001")) {
            TransferringPhone.Dialog first = phone.answer(SIP);
            String callId = await().atMost(SIP).until(() -> currentCall("alice"), id -> id != null);
            TransferringPhone.Dialog consultation = phone.call("202", SIP);

            caller.awaitSuccess(SIP);
            await().atMost(SIP).until(() -> record(callId).get("ended_at") != null);
            await().atMost(SIP).until(() -> phone.byes.contains(first.callId()));
            // Too late to transfer: the caller's dialog is gone.
            assertThat(phone.refer(first, TransferringPhone.referToReplacing("202", consultation), SIP))
                    .startsWith("SIP/2.0 481");
            phone.bye(consultation);
            bob.awaitSuccess(SIP);
            await().atMost(SIP).until(() -> jdbc.queryForObject("select count(*) from call_record where"
                    + " ended_at is null", Integer.class) == 0);
            assertThat(jdbc.queryForObject("select outcome from call_record where direction = 'internal'"
                    + " order by started_at desc limit 1", String.class)).isEqualTo("COMPLETED");
            nothingStuck();
        }
    }

    @Test
    void aSupervisorListensFromThePhoneWithAFeatureCodeAndSwitchesModeWithKeys() throws Exception {
        int bossPort = freePort();
        register("1003", "boss-1003", bossPort);
        Sipp alice = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo", "-mp",
                Integer.toString(freePort()));
        Sipp caller = Sipp.start("caller-menu-1-talks-late.xml", freePort(), SIP_PORT, "-i", "127.0.0.2", "-s",
                "100", "-d", "15000", "-mp", Integer.toString(freePort()));
        String callId = await().atMost(SIP).until(() -> currentCall("alice"), id -> id != null);
        await().atMost(SIP).until(() -> state("alice") == AgentState.ON_CALL);
        try (var bob = new TransferringPhone(bobPort, SIP_PORT, "1002", "bob-1002");
                var boss = new TransferringPhone(bossPort, SIP_PORT, "1003", "boss-1003")) {
            assertThatThrownBy(() -> bob.call("*30201", SIP)).as("bob is no supervisor")
                    .hasMessageContaining("403");
            assertThatThrownBy(() -> boss.call("*30999", SIP)).as("no such extension").hasMessageContaining("403");

            boss.call("*30201", SIP);
            TransferringPhone.Dialog monitorLeg = boss.answer(SIP);
            await().atMost(SIP).until(() -> monitoring.find(callId).map(m -> m.get("status")).orElse(null),
                    "CONNECTED"::equals);
            assertThat(monitoring.find(callId).orElseThrow()).containsEntry("mode", "LISTEN")
                    .containsEntry("phone", "boss");
            boss.firstRtp.sendDigit(boss.lastOffer, '2', 1000);
            await().atMost(SIP).until(() -> monitoring.find(callId).map(m -> m.get("mode")).orElse(null),
                    "WHISPER"::equals);
            boss.firstRtp.sendDigit(boss.lastOffer, '3', 2000);
            await().atMost(SIP).until(() -> monitoring.find(callId).map(m -> m.get("mode")).orElse(null),
                    "BARGE"::equals);
            assertThat(jdbc.queryForList("select action from call_action where call_id = ? order by id",
                    String.class, callId)).containsSubsequence("MONITOR_START", "MONITOR_MODE", "MONITOR_MODE");

            caller.awaitSuccess(Duration.ofSeconds(90));
            alice.awaitSuccess(SIP);
            await().atMost(SIP).until(() -> boss.byes.contains(monitorLeg.callId()));
            nothingStuck();
        }
    }

    private void nothingStuck() {
        await().atMost(SIP).until(() -> state("alice") == AgentState.AVAILABLE
                && state("bob") == AgentState.AVAILABLE);
        assertThat(jdbc.queryForObject("select count(*) from agent where current_call is not null", Integer.class))
                .isZero();
        assertThat(jdbc.queryForObject("select count(*) from call_record where ended_at is null", Integer.class))
                .isZero();
    }

    /** Per channel, the RMS of a recording from {@code from} on (16-bit stereo at 8 kHz after a 44-byte header). */
    private static double[] rmsFrom(Path wav, Duration from) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
        int first = (int) Math.min(from.toMillis() * 8, (data.limit() - 44) / 4);
        int frames = (data.limit() - 44) / 4 - first;
        double[] sum = new double[2];
        for (int i = first; i < first + frames; i++) {
            for (int ch = 0; ch < 2; ch++) {
                double s = data.getShort(44 + i * 4 + ch * 2);
                sum[ch] += s * s;
            }
        }
        return frames <= 0 ? new double[2] : new double[] {Math.sqrt(sum[0] / frames), Math.sqrt(sum[1] / frames)};
    }

    private Map<String, Object> record(String callId) {
        return jdbc.queryForMap("select * from call_record where call_id = ?", callId);
    }

    private String currentCall(String agentId) {
        return jdbc.queryForObject("select current_call from agent where id = ?", String.class, agentId);
    }

    private AgentState state(String agentId) {
        return agents.stateOf(agentId).orElseThrow();
    }

    private void register(String user, String password, int port) throws Exception {
        Sipp.start("agent-register.xml", port, SIP_PORT, "-s", user, "-au", user, "-ap", password)
                .awaitSuccess(Duration.ofSeconds(20));
    }

    private static int freePort() {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
