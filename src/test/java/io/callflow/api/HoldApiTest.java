package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.micrometer.core.instrument.MeterRegistry;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Hold and resume over real SIP, RTP and HTTP: an agent's SIPp phone holds and resumes by re-INVITE, an operator
 * holds and resumes through the API, a caller hangs up while held, and agent log-out; every change on the call's
 * timeline and in the outbox, nothing left open afterwards. (What each side hears is measured in HoldAudioTest.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HoldApiTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                      - { id: bob, sipUser: "1002", password: bob-1002, skills: { english: 6 } }
                    queues:
                      - { name: sales, strategy: longest-idle, ringTimeoutSeconds: 3, wrapUpSeconds: 1,
                          maxWaitSeconds: 120, joinWhenEmpty: true, members: [ alice ] }
                    dids:
                      - { did: "100", flow: inbound-call }
                    """);
    static final int SIP_PORT = freePort();
    static final ParameterizedTypeReference<List<Map<String, Object>>> LIST = new ParameterizedTypeReference<>() { };

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
        registry.add("callflow.sip.port", () -> SIP_PORT);
        registry.add("callflow.sip.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.bind-address", () -> "127.0.0.1");
        // This feature's own RTP ports, apart from the other application tests running beside it.
        registry.add("callflow.media.rtp-port-min", () -> 45000);
        registry.add("callflow.media.rtp-port-max", () -> 45399);
    }

    @Autowired TestRestTemplate http;
    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;
    @Autowired IdentityService identityService;
    @Autowired MeterRegistry meters;

    @BeforeAll
    void users() {
        Sipp.requireSipp();
        for (String[] user : List.of(new String[] {"boss", Roles.SUPERVISOR_GROUP},
                new String[] {"alice", Roles.AGENT_GROUP}, new String[] {"bob", Roles.AGENT_GROUP})) {
            User created = identityService.newUser(user[0]);
            created.setPassword(user[0] + "-password");
            identityService.saveUser(created);
            identityService.createMembership(user[0], user[1]);
        }
    }

    @BeforeEach
    void everyoneOffline() {
        jdbc.update("delete from sip_registration");
        jdbc.update("update agent set state = 'OFFLINE', registered = false, current_call = null, missed_offers = 0");
    }

    @Test
    void theAgentsPhoneAndTheApiHoldAndResumeAndEachChangeIsOnTheTimelineAndAnnounced() throws Exception {
        int alicePort = Sipp.freePort();
        register(alicePort);
        Sipp agent = Sipp.start("agent-answer-hold-resume.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        Sipp caller = Sipp.start("caller-menu-1-until-bye.xml", Sipp.freePort(), SIP_PORT, "-s", "100",
                "-mp", Integer.toString(Sipp.freePort()));
        String callId = talking();

        // The phone's re-INVITEs: sendonly (answered recvonly, checked by SIPp), then sendrecv.
        await().atMost(Duration.ofSeconds(15)).until(() -> actions(callId),
                actions -> actions.containsAll(List.of("HOLD:agent-phone", "RESUME:agent-phone")));

        assertThat(send("bob", "/hold").getStatusCode()).as("another agent's call").isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(send("boss", "/api/v1/calls/no-such-call/hold", true).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        ResponseEntity<String> held = send(callId, "alice", "/hold");
        assertThat(held.getStatusCode()).as(held.getBody()).isEqualTo(HttpStatus.OK);
        assertThat(held.getBody()).contains("\"changed\":true").contains("HELD");
        assertThat(send(callId, "boss", "/hold").getBody()).as("idempotent").contains("\"changed\":false");
        ResponseEntity<String> resumed = send(callId, "boss", "/resume");
        assertThat(resumed.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(resumed.getBody()).contains("\"changed\":true");

        assertThat(send(callId, "boss", "/hangup").getStatusCode()).isEqualTo(HttpStatus.OK);
        agent.awaitSuccess(Duration.ofSeconds(30));
        caller.awaitSuccess(Duration.ofSeconds(30));
        assertThat(actions(callId)).containsSubsequence("HOLD:agent-phone", "RESUME:agent-phone", "HOLD:alice",
                "RESUME:boss");
        assertThat(jdbc.queryForList("select event_type from event_outbox where call_id = ?"
                + " and event_type in ('call.held', 'call.resumed') order by seq", String.class, callId))
                .containsExactly("call.held", "call.resumed", "call.held", "call.resumed");
        assertThat(send(callId, "alice", "/hold").getStatusCode()).as("an ended call").isEqualTo(HttpStatus.CONFLICT);
        nothingLeftOpen();
    }

    @Test
    void aCallerHangingUpWhileHeldLeavesTheAgentFreeAndNoMediaOpen() throws Exception {
        int alicePort = Sipp.freePort();
        register(alicePort);
        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        // The caller talks 7.5 s after being connected, then hangs up: by then it is on hold.
        Sipp caller = Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "3000",
                "-mp", Integer.toString(Sipp.freePort()));
        String callId = talking();
        assertThat(send(callId, "alice", "/hold").getStatusCode()).isEqualTo(HttpStatus.OK);
        // Log-out is refused while alice has a call.
        assertThat(send("alice", "/api/v1/agents/alice/logout", true).getStatusCode())
                .isEqualTo(HttpStatus.CONFLICT);
        caller.awaitSuccess(Duration.ofSeconds(40));
        agent.awaitSuccess(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "select ended_at from call_record where call_id = ?", java.sql.Timestamp.class, callId) != null);
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
        nothingLeftOpen();
        ResponseEntity<String> out = send("alice", "/api/v1/agents/alice/logout", true);
        assertThat(out.getStatusCode()).as(out.getBody()).isEqualTo(HttpStatus.OK);
        assertThat(state("alice")).isEqualTo(AgentState.OFFLINE);
        assertThat(send("bob", "/api/v1/agents/alice/logout", true).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private String talking() {
        Map<String, Object> live = await().atMost(Duration.ofSeconds(30)).until(() -> liveCall(),
                call -> call != null && "TALKING".equals(call.get("state")));
        return (String) live.get("callId");
    }

    private void nothingLeftOpen() {
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("callflow.rtp.legs").gauge().value() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> liveCall() == null);
    }

    private List<String> actions(String callId) {
        return jdbc.queryForList("select actor, action from call_action where call_id = ? order by id", callId)
                .stream().filter(row -> List.of("HOLD", "RESUME").contains(row.get("action")))
                .map(row -> row.get("action") + ":" + row.get("actor")).toList();
    }

    private Map<String, Object> liveCall() {
        List<Map<String, Object>> calls = http.withBasicAuth("boss", "boss-password")
                .exchange("/api/v1/calls/live", HttpMethod.GET, null, LIST).getBody();
        return calls == null || calls.isEmpty() ? null : calls.get(0);
    }

    private ResponseEntity<String> send(String callId, String user, String command) {
        return send(user, "/api/v1/calls/" + callId + command, true);
    }

    private ResponseEntity<String> send(String user, String command) {
        return send(user, "/api/v1/calls/" + (liveCall() == null ? "none" : liveCall().get("callId")) + command, true);
    }

    private ResponseEntity<String> send(String user, String path, boolean post) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return http.withBasicAuth(user, user + "-password").exchange(path, post ? HttpMethod.POST : HttpMethod.GET,
                new HttpEntity<>(null, headers), String.class);
    }

    private void register(int port) throws Exception {
        Sipp.start("agent-register.xml", port, SIP_PORT, "-s", "1001", "-au", "1001", "-ap", "alice-1001")
                .awaitSuccess(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
    }

    private AgentState state(String agentId) {
        return agents.find(agentId).orElseThrow().state();
    }

    private static int freePort() {
        try {
            return Sipp.freePort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
