package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.call.CallLanes;
import io.callflow.media.MediaEndpoints;
import io.callflow.media.MediaProbe;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Legs that the network loses end at once, through the default inbound flow with the ACD: a TCP caller who takes the
 * 200 OK and closes the connection without ACK, and an agent whose phone stops sending RTP mid-call. Asserts what an
 * operator would notice: the call record closed, no queue entry, the agent free again, nothing held by the B2BUA.
 */
@SpringBootTest
@ActiveProfiles("test")
class TransportFailuresTest {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
            queues:
              - { name: sales, ringTimeoutSeconds: 3, wrapUpSeconds: 1, maxWaitSeconds: 120, joinWhenEmpty: true,
                  members: [ alice ] }
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
        // Helpers run application tests side by side: each keeps its own RTP ports.
        registry.add("callflow.media.rtp-port-min", () -> 37000);
        registry.add("callflow.media.rtp-port-max", () -> 37499);
        registry.add("callflow.media.media-timeout", () -> "2s");
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;
    @Autowired SipHealthIndicator sip;
    @Autowired CallLanes lanes;
    @Autowired MediaEndpoints media;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @BeforeEach
    void everyoneOffline() {
        jdbc.update("delete from sip_registration");
        jdbc.update("update agent set state = 'OFFLINE', registered = false, current_call = null, missed_offers = 0");
    }

    // Closing after the 200 OK: the first retransmission of the 200 fails. Closing after the 180 (before the flow
    // answers): the answer itself cannot be sent, or, when it was already on its way, its retransmission fails.
    @ParameterizedTest(name = "the TCP caller closes the connection after the {0}")
    @ValueSource(strings = {"200", "180"})
    void aTcpCallerWhoClosesTheConnectionWithoutAckingIsHungUpAtOnce(String lastResponse) throws Exception {
        // alice is free: a call that wrongly stayed up would reach her through the menu and the queue.
        register(Sipp.freePort());
        String branch = UUID.randomUUID().toString().substring(0, 8);
        // A number of its own, so the record found below is this call's.
        String caller = "+4930555" + System.nanoTime() % 1_000_000;
        String sdp = "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
        long started;
        try (Socket tcp = new Socket("127.0.0.1", SIP_PORT)) {
            tcp.setSoTimeout(10_000);
            String invite = RawSip.text("invite-tcp.txt", Map.of("caller", caller, "did", "100",
                    "sipPort", Integer.toString(SIP_PORT),
                    "port", Integer.toString(tcp.getLocalPort()), "branch", branch,
                    "length", Integer.toString(sdp.length()))).replace("${sdp}\r\n", sdp);
            tcp.getOutputStream().write(invite.getBytes(StandardCharsets.UTF_8));
            tcp.getOutputStream().flush();
            assertThat(readUntil(tcp.getInputStream(), "SIP/2.0 " + lastResponse + " ")).contains("SIP/2.0 180 ");
            // JAIN-SIP still works on the connection for a moment after writing a response; a close within that
            // moment fails the 180 itself, and a call whose 180 fails is refused before it reaches a flow.
            Thread.sleep(50);
            started = System.nanoTime();
        }
        // The phone is gone without an ACK. Over UDP the 200 would be retransmitted for 64*T1 (32 s) before the call
        // ends; over TCP sending to the closed connection fails at once, and that is the end of the caller's leg.

        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(
                () -> recordOfCallFrom(caller), r -> r != null && r.get("ended_at") != null);
        System.out.printf("vanished TCP caller (closed after the %s): call ended %d ms after the connection closed%n",
                lastResponse, (System.nanoTime() - started) / 1_000_000);
        assertThat(record).containsEntry("outcome", "CallAbandoned").containsEntry("hangup_cause", "FAILURE");
        assertThat(record.get("agent")).isNull();
        String callId = (String) record.get("call_id");
        assertThat(jdbc.queryForObject("select count(*) from queue_entry", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from agent_state_log where call_id = ?", Integer.class,
                callId)).as("agent state changes for the dead call").isZero();
        assertThat(state("alice")).isEqualTo(AgentState.AVAILABLE);
        assertCallStateDrained();
    }

    @Test
    void anAgentWhosePhoneStopsSendingRtpIsHungUpAndTheCallCompletes() throws Exception {
        int alicePort = Sipp.freePort();
        register(alicePort);
        Sipp agent = Sipp.start("agent-answer-then-silent.xml", alicePort, SIP_PORT, "-s", "1001",
                "-mp", Integer.toString(Sipp.freePort()));
        Sipp caller = Sipp.start("caller-info-1-waits.xml", Sipp.freePort(), SIP_PORT, "-s", "100");

        // The agent's phone gets our BYE once its audio has stopped for the media timeout (2 s here), and so does the
        // caller, because the flow completes the call.
        agent.awaitSuccess(Duration.ofSeconds(30));
        caller.awaitSuccess(Duration.ofSeconds(15));

        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(this::lastRecord,
                r -> r != null && r.get("ended_at") != null);
        assertThat(record).containsEntry("outcome", "CallCompleted").containsEntry("agent", "alice")
                .containsEntry("hangup_cause", "MEDIA_TIMEOUT");
        String callId = (String) record.get("call_id");
        assertThat(jdbc.queryForList("select event from queue_log where call_id = ? order by id", String.class, callId))
                .containsExactly("ENTERQUEUE", "CONNECT", "COMPLETE");
        assertThat(jdbc.queryForList("select to_state from agent_state_log where agent_id = 'alice' and call_id = ?"
                + " order by id", String.class, callId)).containsSubsequence("ON_CALL", "WRAP_UP");
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
        assertCallStateDrained();
    }

    // ---- helpers ----

    private void register(int port) throws Exception {
        Sipp.start("agent-register.xml", port, SIP_PORT, "-s", "1001", "-au", "1001", "-ap", "alice-1001")
                .awaitSuccess(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
    }

    /** What arrived on the connection up to and including the message that starts with {@code statusLine}. */
    private static String readUntil(InputStream in, String statusLine) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!text.toString().startsWith(statusLine) && !text.toString().contains("\r\n" + statusLine)) {
            int read = in.read(buffer);
            if (read < 0) {
                throw new IOException("connection closed before " + statusLine + "; got: " + text);
            }
            text.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    private AgentState state(String agentId) {
        return agents.find(agentId).orElseThrow().state();
    }

    private Map<String, Object> lastRecord() {
        List<Map<String, Object>> rows = jdbc.queryForList("select * from call_record order by started_at desc"
                + " fetch first 1 rows only");
        return rows.isEmpty() ? null : rows.get(0);
    }

    private Map<String, Object> recordOfCallFrom(String caller) {
        List<Map<String, Object>> rows = jdbc.queryForList("select * from call_record where caller = ?", caller);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The B2BUA, the call lanes and the media engine hold nothing once the call is over. */
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
