package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.events.EventSchemas;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
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
 * Attended and warm transfer over real HTTP, SIP and RTP: SIPp phones for the caller, the first agent (alice) and
 * the target (bob); the consultation completed, cancelled, not answered, made a three-way conference the first agent
 * leaves by hanging up, and a caller hanging up in the middle. After each: nobody reserved, every phone hung up (each
 * SIPp scenario ends only on its BYE), the record closed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsultTransferTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                      - { id: bob, sipUser: "1002", password: bob-1002, skills: { english: 6 } }
                    queues:
                      - { name: sales, strategy: longest-idle, ringTimeoutSeconds: 5, wrapUpSeconds: 1,
                          maxWaitSeconds: 120, joinWhenEmpty: true, members: [ alice ] }
                      - { name: support, joinWhenEmpty: true, ringTimeoutSeconds: 5, wrapUpSeconds: 1,
                          maxWaitSeconds: 120, members: [ bob ] }
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
        // Helpers run application tests side by side: each keeps its own RTP ports.
        registry.add("callflow.media.rtp-port-min", () -> 46500);
        registry.add("callflow.media.rtp-port-max", () -> 46999);
        registry.add("callflow.calls.consult-ring-timeout", () -> "PT3S");
    }

    @Autowired TestRestTemplate http;
    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;
    @Autowired IdentityService identityService;
    @Autowired HistoryService historyService;
    @Autowired RuntimeService runtimeService;

    int alicePort;
    int bobPort;

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
    void bothAgentsAvailable() throws Exception {
        jdbc.update("delete from sip_registration");
        jdbc.update("update agent set state = 'OFFLINE', registered = false, current_call = null, missed_offers = 0");
        alicePort = Sipp.freePort();
        bobPort = Sipp.freePort();
        register("1001", "alice-1001", alicePort);
        register("1002", "bob-1002", bobPort);
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE
                && state("bob") == AgentState.AVAILABLE);
    }

    @Test
    void anAttendedTransferHandsTheCallerToTheTargetAgent() throws Exception {
        Sipp alice = phone("agent-answer.xml", alicePort, "1001");
        Sipp bob = phone("agent-answer.xml", bobPort, "1002");
        Sipp caller = Sipp.start("caller-menu-1-until-bye.xml", Sipp.freePort(), SIP_PORT, "-s", "100",
                "-mp", Integer.toString(Sipp.freePort()));
        String callId = talkingCallOf("alice");

        // Bad input: problem details; no consultation yet to complete; another agent's call is not its to consult.
        for (String body : List.of("{}", "[]", "{\"agent\":\"nobody\"}", "{\"number\":\"sip:x@y\"}",
                "{\"agent\":\"bob\",\"queue\":\"support\"}", "{\"phone\":\"1\"}", "{\"agent\":7}")) {
            ResponseEntity<String> refused = send("alice", HttpMethod.POST, consult(callId, ""), body);
            assertThat(refused.getStatusCode()).as(body).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(refused.getHeaders().getContentType().toString()).contains("problem+json");
        }
        assertThat(send("alice", HttpMethod.POST, consult(callId, "/complete"), null).getStatusCode())
                .isEqualTo(HttpStatus.CONFLICT);
        assertThat(send("alice", HttpMethod.POST, consult(callId, ""), "{\"agent\":\"alice\"}").getStatusCode())
                .as("oneself").isEqualTo(HttpStatus.CONFLICT);
        assertThat(send("bob", HttpMethod.POST, consult(callId, ""), "{\"agent\":\"bob\"}").getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(send("alice", HttpMethod.POST, consult(callId, ""), "{\"number\":\"+4930999\"}")
                .getStatusCode()).as("no outbound trunk").isEqualTo(HttpStatus.CONFLICT);

        ResponseEntity<String> started = send("alice", HttpMethod.POST, consult(callId, ""), "{\"agent\":\"bob\"}");
        assertThat(started.getStatusCode()).as(started.getBody()).isEqualTo(HttpStatus.OK);
        assertThat(send("alice", HttpMethod.POST, consult(callId, ""), "{\"agent\":\"bob\"}").getStatusCode())
                .as("a second consultation").isEqualTo(HttpStatus.CONFLICT);
        await().atMost(Duration.ofSeconds(10)).until(() -> consultState(callId), "TALKING"::equals);
        assertThat(state("bob")).isEqualTo(AgentState.ON_CALL);

        ResponseEntity<String> completed = send("alice", HttpMethod.POST, consult(callId, "/complete"), null);
        assertThat(completed.getStatusCode()).as(completed.getBody()).isEqualTo(HttpStatus.OK);
        alice.awaitSuccess(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") != AgentState.ON_CALL);
        assertThat(state("bob")).isEqualTo(AgentState.ON_CALL);
        assertThat(send("boss", HttpMethod.GET, consult(callId, ""), null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(send("alice", HttpMethod.GET, consult(callId, ""), null).getStatusCode())
                .as("no longer alice's call").isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(trail(callId)).isEqualTo("CONSULT with agent:bob (agent bob)\nCONSULT_ANSWERED agent:bob"
                + " answered\nCONSULT_COMPLETED attended transfer from alice to agent:bob");

        // The target now has the call: it may hang it up, and the record names it.
        assertThat(send("bob", HttpMethod.POST, "/api/v1/calls/" + callId + "/hangup", null).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        caller.awaitSuccess(Duration.ofSeconds(20));
        bob.awaitSuccess(Duration.ofSeconds(20));
        Map<String, Object> record = closedRecord(callId);
        assertThat(record).containsEntry("agent", "bob");
        nothingLeftFor(callId);

        assertThat(jdbc.queryForMap("select queue_name, agent_id, data1, data2, data3 from queue_log where call_id = ?"
                + " and event = 'TRANSFER'", callId)).containsEntry("queue_name", "sales")
                .containsEntry("agent_id", "alice").containsEntry("data1", "agent:bob")
                .containsEntry("data3", "attended");
        assertThat(jdbc.queryForList("select action from call_action where call_id = ? order by id", String.class,
                callId)).containsSubsequence("CONSULT", "CONSULT_ANSWERED", "CONSULT_COMPLETED", "HANGUP");
        assertThat(stepsNoted(callId)).as("the flow's runs of Note transfer step").isEqualTo(3);
        List<String> types = jdbc.queryForList("select event_type from event_outbox where call_id = ? order by seq",
                String.class, callId);
        assertThat(types).containsSubsequence("call.consult_started", "call.consult_completed", "call.ended");
        assertValidEvents(callId);
    }

    @Test
    void aCancelledAndAnUnansweredConsultationLeaveTheAgentWithTheCaller() throws Exception {
        Sipp alice = phone("agent-answer.xml", alicePort, "1001");
        Sipp bob = phone("agent-answer.xml", bobPort, "1002");
        Sipp caller = Sipp.start("caller-menu-1-until-bye.xml", Sipp.freePort(), SIP_PORT, "-s", "100",
                "-mp", Integer.toString(Sipp.freePort()));
        String callId = talkingCallOf("alice");

        // A queue's free agent is consulted, then the consultation is cancelled: bob's phone is hung up.
        ResponseEntity<String> started = send("alice", HttpMethod.POST, consult(callId, ""),
                "{\"queue\":\"support\"}");
        assertThat(started.getStatusCode()).as(started.getBody()).isEqualTo(HttpStatus.OK);
        await().atMost(Duration.ofSeconds(10)).until(() -> consultState(callId), "TALKING"::equals);
        assertThat(send("alice", HttpMethod.POST, consult(callId, "/cancel"), null).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        bob.awaitSuccess(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> state("bob") == AgentState.AVAILABLE);
        assertThat(state("alice")).isEqualTo(AgentState.ON_CALL);

        // Bob's phone rings but nobody picks up: after the ring timeout the consultation fails.
        Sipp unanswered = phone("agent-no-answer.xml", bobPort, "1002");
        assertThat(send("alice", HttpMethod.POST, consult(callId, ""), "{\"agent\":\"bob\"}").getStatusCode())
                .isEqualTo(HttpStatus.OK);
        assertThat(send("alice", HttpMethod.POST, consult(callId, "/complete"), null).getStatusCode())
                .as("not answered yet").isEqualTo(HttpStatus.CONFLICT);
        unanswered.awaitSuccess(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> send("alice", HttpMethod.GET, consult(callId, ""), null)
                .getStatusCode() == HttpStatus.NOT_FOUND);
        assertThat(state("bob")).isEqualTo(AgentState.AVAILABLE);
        assertThat(state("alice")).isEqualTo(AgentState.ON_CALL);
        assertThat(jdbc.queryForList("select data from event_outbox where call_id = ? and event_type ="
                + " 'call.consult_cancelled' order by seq", String.class, callId))
                .anyMatch(data -> data.contains("\"reason\":\"CANCELLED\""))
                .anyMatch(data -> data.contains("\"reason\":\"RING_TIMEOUT\""));

        assertThat(send("alice", HttpMethod.POST, "/api/v1/calls/" + callId + "/hangup", null).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        caller.awaitSuccess(Duration.ofSeconds(20));
        alice.awaitSuccess(Duration.ofSeconds(20));
        assertThat(closedRecord(callId)).containsEntry("agent", "alice");
        nothingLeftFor(callId);
        assertThat(jdbc.queryForObject("select count(*) from queue_log where call_id = ? and event = 'TRANSFER'",
                Integer.class, callId)).isZero();
        assertValidEvents(callId);
    }

    @Test
    void aWarmTransferLeavesCallerAndTargetTalkingWhenTheFirstAgentHangsUp() throws Exception {
        // Alice's phone hangs up by itself 8 s after answering: by then the three talk together.
        Sipp alice = Sipp.start("agent-answer-hangup.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo", "-d",
                "8000", "-mp", Integer.toString(Sipp.freePort()));
        Sipp bob = phone("agent-answer.xml", bobPort, "1002");
        Sipp caller = Sipp.start("caller-menu-1-until-bye.xml", Sipp.freePort(), SIP_PORT, "-s", "100",
                "-mp", Integer.toString(Sipp.freePort()));
        String callId = talkingCallOf("alice");

        assertThat(send("alice", HttpMethod.POST, consult(callId, ""), "{\"agent\":\"bob\"}").getStatusCode())
                .isEqualTo(HttpStatus.OK);
        await().atMost(Duration.ofSeconds(10)).until(() -> consultState(callId), "TALKING"::equals);
        assertThat(send("alice", HttpMethod.POST, consult(callId, "/conference"), null).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        assertThat(consultState(callId)).isEqualTo("CONFERENCE");

        alice.awaitSuccess(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") != AgentState.ON_CALL);
        assertThat(state("bob")).isEqualTo(AgentState.ON_CALL);
        assertThat(record(callId).get("ended_at")).as("caller and bob still talk").isNull();
        assertThat(trail(callId)).contains("CONSULT_CONFERENCE").contains("warm transfer from alice");

        assertThat(send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/hangup", null).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        caller.awaitSuccess(Duration.ofSeconds(20));
        bob.awaitSuccess(Duration.ofSeconds(20));
        assertThat(closedRecord(callId)).containsEntry("agent", "bob");
        nothingLeftFor(callId);
        assertThat(jdbc.queryForObject("select data3 from queue_log where call_id = ? and event = 'TRANSFER'",
                String.class, callId)).isEqualTo("warm");
        assertThat(stepsNoted(callId)).isEqualTo(4);
        assertValidEvents(callId);
    }

    @Test
    void aCallerHangingUpDuringTheConsultationLeavesNothingStuck() throws Exception {
        Sipp alice = phone("agent-answer.xml", alicePort, "1001");
        Sipp bob = phone("agent-answer.xml", bobPort, "1002");
        // The caller talks about 10 s after pressing 1, then hangs up.
        Sipp caller = Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "3000",
                "-mp", Integer.toString(Sipp.freePort()));
        String callId = talkingCallOf("alice");
        assertThat(send("alice", HttpMethod.POST, consult(callId, ""), "{\"agent\":\"bob\"}").getStatusCode())
                .isEqualTo(HttpStatus.OK);
        await().atMost(Duration.ofSeconds(10)).until(() -> consultState(callId), "TALKING"::equals);

        caller.awaitSuccess(Duration.ofSeconds(30));
        alice.awaitSuccess(Duration.ofSeconds(20));
        bob.awaitSuccess(Duration.ofSeconds(20));
        assertThat(closedRecord(callId)).containsEntry("agent", "alice");
        nothingLeftFor(callId);
        assertThat(jdbc.queryForList("select data from event_outbox where call_id = ? and event_type ="
                + " 'call.consult_cancelled'", String.class, callId)).hasSize(1);
        assertValidEvents(callId);
    }

    private Sipp phone(String scenario, int port, String user) throws IOException {
        return Sipp.start(scenario, port, SIP_PORT, "-s", user, "-rtp_echo", "-mp",
                Integer.toString(Sipp.freePort()));
    }

    private String talkingCallOf(String agent) {
        Map<String, Object> live = await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<Map<String, Object>> calls = http.withBasicAuth("boss", "boss-password")
                    .exchange("/api/v1/calls/live", HttpMethod.GET, null, LIST).getBody();
            return calls == null || calls.isEmpty() ? null : calls.get(0);
        }, call -> call != null && "TALKING".equals(call.get("state")) && agent.equals(call.get("agent")));
        return (String) live.get("callId");
    }

    private String consultState(String callId) throws IOException {
        ResponseEntity<String> answer = send("alice", HttpMethod.GET, consult(callId, ""), null);
        return answer.getStatusCode() == HttpStatus.OK
                ? new ObjectMapper().readTree(answer.getBody()).get("state").asText() : null;
    }

    private Map<String, Object> closedRecord(String callId) {
        return await().atMost(Duration.ofSeconds(15)).until(() -> record(callId), r -> r.get("ended_at") != null);
    }

    /** No agent holds or is reserved for the call and both agents come back to AVAILABLE after wrap-up. */
    private void nothingLeftFor(String callId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE
                && state("bob") == AgentState.AVAILABLE);
        assertThat(jdbc.queryForObject("select count(*) from agent where current_call = ?", Integer.class, callId))
                .isZero();
        assertThat(send("boss", HttpMethod.GET, consult(callId, ""), null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
    }

    /** The live call's trail of steps (history level activity keeps no variables after the call). */
    private String trail(String callId) {
        String instance = runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(callId)
                .singleResult().getId();
        return (String) runtimeService.getVariable(instance, "transferTrail");
    }

    private long stepsNoted(String callId) {
        String instance = historyService.createHistoricProcessInstanceQuery().processInstanceBusinessKey(callId)
                .singleResult().getId();
        return historyService.createHistoricActivityInstanceQuery().processInstanceId(instance)
                .activityId("NoteTransferStep").count();
    }

    private void assertValidEvents(String callId) throws IOException {
        var mapper = new ObjectMapper();
        for (Map<String, Object> row : jdbc.queryForList("select event_type, data from event_outbox where call_id = ?"
                + " and event_type like 'call.consult_%'", callId)) {
            var event = mapper.createObjectNode();
            event.put("id", java.util.UUID.randomUUID().toString()).put("type", (String) row.get("event_type"))
                    .put("version", 1).put("occurredAt", "2026-01-01T00:00:00Z").put("callId", callId)
                    .putNull("queue").put("agentId", "alice");
            event.set("data", mapper.readTree((String) row.get("data")));
            assertThat(EventSchemas.violations(event)).as(row.toString()).isEmpty();
        }
    }

    private ResponseEntity<String> send(String user, HttpMethod method, String path, String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return http.withBasicAuth(user, user + "-password").exchange(path, method, new HttpEntity<>(body, headers),
                String.class);
    }

    private static String consult(String callId, String suffix) {
        return "/api/v1/calls/" + callId + "/consult" + suffix;
    }

    private Map<String, Object> record(String callId) {
        return jdbc.queryForMap("select * from call_record where call_id = ?", callId);
    }

    private void register(String user, String password, int port) throws Exception {
        Sipp.start("agent-register.xml", port, SIP_PORT, "-s", user, "-au", user, "-ap", password)
                .awaitSuccess(Duration.ofSeconds(20));
    }

    private AgentState state(String agentId) {
        return agents.find(agentId).orElseThrow().state();
    }

    private static int freePort() {
        try {
            return Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
