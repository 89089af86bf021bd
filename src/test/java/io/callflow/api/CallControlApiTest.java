package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.callflow.support.Wavs;
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
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Live calls and call control over real HTTP, SIP and RTP: SIPp agents and callers, commands through the API seen
 * by SIPp (BYE, REFER), the recording paused and measured, call data in the flow, the recording downloaded.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallControlApiTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                      - { id: bob, sipUser: "1002", password: bob-1002, skills: { english: 6 } }
                    queues:
                      - { name: sales, strategy: longest-idle, ringTimeoutSeconds: 3, wrapUpSeconds: 1,
                          maxWaitSeconds: 120, joinWhenEmpty: true, members: [ alice, bob ] }
                      - { name: callback, joinWhenEmpty: true, ringTimeoutSeconds: 3, wrapUpSeconds: 1,
                          maxWaitSeconds: 120, members: [ bob ] }
                    dids:
                      - { did: "100", flow: inbound-call }
                    """);
    static final int SIP_PORT = freePort();
    /** The "PSTN" behind the outbound trunk: a SIPp UAS. */
    static final int PSTN_PORT = freePort();
    static final ParameterizedTypeReference<List<Map<String, Object>>> LIST = new ParameterizedTypeReference<>() { };
    static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
        registry.add("callflow.sip.port", () -> SIP_PORT);
        registry.add("callflow.sip.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.bind-address", () -> "127.0.0.1");
        // Helpers run application tests side by side: each keeps its own RTP ports.
        registry.add("callflow.media.rtp-port-min", () -> 46000);
        registry.add("callflow.media.rtp-port-max", () -> 46999);
        registry.add("callflow.sip.outbound-trunk", () -> "127.0.0.1:" + PSTN_PORT);
    }

    @Autowired TestRestTemplate http;
    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;
    @Autowired RuntimeService runtimeService;
    @Autowired IdentityService identityService;

    @BeforeAll
    void usersAndSipp() {
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
    void aTalkingCallIsLiveItsRecordingIsPausedItsDataSetAndAnOperatorHangsItUp() throws Exception {
        int alicePort = Sipp.freePort();
        register("1001", "alice-1001", alicePort);
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        Sipp caller = Sipp.start("caller-menu-1-until-bye.xml", Sipp.freePort(), SIP_PORT, "-s", "100",
                "-mp", Integer.toString(Sipp.freePort()));

        Map<String, Object> live = await().atMost(Duration.ofSeconds(30)).until(() -> liveCall("boss", ""),
                call -> call != null && "TALKING".equals(call.get("state")));
        String callId = (String) live.get("callId");
        assertThat(live).containsEntry("agent", "alice").containsEntry("queue", "sales")
                .containsEntry("activityId", "WaitForCallEnd").containsEntry("caller", "+4930123456")
                .containsEntry("did", "100").containsEntry("ownerNode", "local");
        assertThat(live.get("answeredAt")).isNotNull();
        // The agent sees its own call; bob sees none and may not ask for alice's.
        assertThat(http.withBasicAuth("alice", "alice-password").exchange("/api/v1/calls/live", HttpMethod.GET,
                null, LIST).getBody()).extracting(call -> call.get("callId")).containsExactly(callId);
        assertThat(http.withBasicAuth("bob", "bob-password").exchange("/api/v1/calls/live", HttpMethod.GET,
                null, LIST).getBody()).isEmpty();
        assertThat(send("bob", HttpMethod.GET, "/api/v1/calls/live?agent=alice", null).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(send("boss", HttpMethod.GET, "/api/v1/calls/live?queue=callback", null).getBody())
                .isEqualTo("[]");

        // Bad input: problem details, nothing changes.
        for (String body : List.of("{\"action\":\"rewind\"}", "{}", "[1,2]", "\"start\"", "{\"action\":1}")) {
            ResponseEntity<String> refused = send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/recording",
                    body);
            assertThat(refused.getStatusCode()).as(body).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(refused.getHeaders().getContentType().toString()).contains("problem+json");
        }
        assertThat(send("bob", HttpMethod.POST, "/api/v1/calls/" + callId + "/hangup", null).getStatusCode())
                .as("another agent's call").isEqualTo(HttpStatus.FORBIDDEN);

        // Call data becomes process variables of the call's flow.
        ResponseEntity<String> data = send("alice", HttpMethod.PATCH, "/api/v1/calls/" + callId + "/data",
                "{\"ticket\":\"T-42\",\"score\":7}");
        assertThat(data.getStatusCode()).as(data.getBody()).isEqualTo(HttpStatus.OK);
        String instance = runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(callId)
                .singleResult().getId();
        assertThat(runtimeService.getVariables(instance)).containsEntry("ticket", "T-42").containsEntry("score", 7L);
        assertThat(send("alice", HttpMethod.PATCH, "/api/v1/calls/" + callId + "/data", "{\"connectedAgent\":\"x\"}")
                .getStatusCode()).as("the flow's own variable").isEqualTo(HttpStatus.CONFLICT);
        for (String body : List.of("{\"bad key\":1}", "{\"nested\":{\"a\":1}}", "{\"list\":[1]}", "[]",
                "{\"long\":\"" + "x".repeat(1001) + "\"}")) {
            assertThat(send("alice", HttpMethod.PATCH, "/api/v1/calls/" + callId + "/data", body).getStatusCode())
                    .as(body).isEqualTo(HttpStatus.BAD_REQUEST);
        }

        // The recording (started by the flow at the bridge) paused for 1.5 s.
        Thread.sleep(500);
        assertThat(send("alice", HttpMethod.POST, "/api/v1/calls/" + callId + "/recording",
                "{\"action\":\"pause\"}").getStatusCode()).isEqualTo(HttpStatus.OK);
        long pausedAt = System.nanoTime();
        Thread.sleep(1500);
        assertThat(send("alice", HttpMethod.POST, "/api/v1/calls/" + callId + "/recording",
                "{\"action\":\"resume\"}").getStatusCode()).isEqualTo(HttpStatus.OK);
        double pausedSeconds = (System.nanoTime() - pausedAt) / 1e9;
        Thread.sleep(700);

        ResponseEntity<String> hungUp = send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/hangup", null);
        assertThat(hungUp.getStatusCode()).as(hungUp.getBody()).isEqualTo(HttpStatus.OK);
        caller.awaitSuccess(Duration.ofSeconds(30));
        agent.awaitSuccess(Duration.ofSeconds(30));

        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(() -> record(callId),
                r -> r.get("ended_at") != null);
        assertThat(record).containsEntry("hangup_cause", "API_HANGUP").containsEntry("agent", "alice")
                .containsEntry("outcome", "CallCompletedByCaller");
        assertThat(send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/hangup", null).getStatusCode())
                .as("an ended call").isEqualTo(HttpStatus.CONFLICT);
        assertThat(liveCall("boss", "")).isNull();

        // The paused part is digital silence; A-law speech never decodes to 0, so no other run comes near it.
        Path recording = CONTENT.root().resolve("data/recordings/" + callId + ".wav");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.size(recording) > 44);
        double silence = longestSilence(recording);
        System.out.printf("recording pause: %.2f s requested, %.2f s of silence in the file%n", pausedSeconds,
                silence);
        assertThat(silence).isBetween(pausedSeconds - 0.4, pausedSeconds + 0.4);

        // The timeline has the flow, the queue, the agent and the operators' actions.
        Map<String, Object> timeline = http.withBasicAuth("alice", "alice-password")
                .exchange("/api/v1/calls/" + callId + "/timeline", HttpMethod.GET, null, JSON).getBody();
        assertThat(timeline).containsEntry("live", false);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) timeline.get("entries");
        assertThat(entries).extracting(e -> e.get("source") + ":" + e.get("type") + ":" + e.get("activityId"))
                .contains("queue:ENTERQUEUE:null", "queue:CONNECT:null", "agent:RINGING:null",
                        "operator:RECORDING_PAUSE:null", "operator:HANGUP:null", "flow:receiveTask:WaitForCallEnd");
        assertThat(send("bob", HttpMethod.GET, "/api/v1/calls/" + callId + "/timeline", null).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);

        // The recording: its bytes for a supervisor and its agent, a range, 403 for another agent, each download
        // in the audit log.
        ResponseEntity<byte[]> download = http.withBasicAuth("boss", "boss-password")
                .getForEntity("/api/v1/calls/" + callId + "/recording", byte[].class);
        assertThat(download.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(download.getHeaders().getContentType().toString()).isEqualTo("audio/wav");
        assertThat(download.getBody()).isEqualTo(Files.readAllBytes(recording));
        HttpHeaders range = new HttpHeaders();
        range.setRange(List.of(HttpRange.createByteRange(0, 3)));
        ResponseEntity<byte[]> head = http.withBasicAuth("alice", "alice-password").exchange(
                "/api/v1/calls/" + callId + "/recording", HttpMethod.GET, new HttpEntity<>(range), byte[].class);
        assertThat(head.getStatusCode()).isEqualTo(HttpStatus.PARTIAL_CONTENT);
        assertThat(new String(head.getBody())).isEqualTo("RIFF");
        assertThat(send("bob", HttpMethod.GET, "/api/v1/calls/" + callId + "/recording", null).getStatusCode())
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(send("boss", HttpMethod.GET, "/api/v1/calls/no-such-call/recording", null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForList("select actor from audit_log where"
                + " action = 'recording.download' and target = ? order by id", String.class, callId),
                actors -> actors.equals(List.of("boss", "alice")));
    }

    @Test
    void aWaitingCallIsMovedToAnotherQueueThenToAnAgentAndHungUp() throws Exception {
        // Nobody is logged in: the caller waits in sales.
        Sipp caller = Sipp.start("caller-menu-1-until-bye.xml", Sipp.freePort(), SIP_PORT, "-s", "100",
                "-mp", Integer.toString(Sipp.freePort()));
        Map<String, Object> live = await().atMost(Duration.ofSeconds(30)).until(() -> liveCall("boss", "?queue=sales"),
                call -> call != null && "QUEUED".equals(call.get("state")));
        String callId = (String) live.get("callId");
        assertThat(live.get("queuedAt")).isNotNull();
        assertThat(live.get("activityId")).isIn("AnnouncementDue", "AnnounceQueuePosition");

        assertThat(send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/transfer", "{\"queue\":\"nowhere\"}")
                .getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/transfer", "{\"agent\":\"nobody\"}")
                .getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/transfer", "{\"agent\":\"bob\"}")
                .getStatusCode()).as("bob is offline").isEqualTo(HttpStatus.CONFLICT);
        for (String body : List.of("{}", "{\"queue\":\"sales\",\"number\":\"1\"}", "{\"number\":\"12ab\"}",
                "{\"number\":7}", "{\"phone\":\"1\"}", "not json")) {
            assertThat(send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/transfer", body).getStatusCode())
                    .as(body).isEqualTo(HttpStatus.BAD_REQUEST);
        }
        ResponseEntity<String> moved = send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/transfer",
                "{\"queue\":\"callback\"}");
        assertThat(moved.getStatusCode()).as(moved.getBody()).isEqualTo(HttpStatus.OK);
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForList(
                "select queue_name from queue_entry where call_id = ?", String.class, callId), List.of("callback")::equals);
        assertThat(liveCall("boss", "?queue=callback")).containsEntry("callId", callId);

        // alice is not a member of callback, so only the operator's transfer brings her the call.
        int alicePort = Sipp.freePort();
        register("1001", "alice-1001", alicePort);
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        ResponseEntity<String> toAlice = send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/transfer",
                "{\"agent\":\"alice\"}");
        assertThat(toAlice.getStatusCode()).as(toAlice.getBody()).isEqualTo(HttpStatus.OK);
        await().atMost(Duration.ofSeconds(20)).until(() -> liveCall("boss", ""),
                call -> call != null && "TALKING".equals(call.get("state")) && "alice".equals(call.get("agent")));

        assertThat(send("boss", HttpMethod.POST, "/api/v1/calls/" + callId + "/hangup", null).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        caller.awaitSuccess(Duration.ofSeconds(30));
        agent.awaitSuccess(Duration.ofSeconds(30));
        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(() -> record(callId),
                r -> r.get("ended_at") != null);
        assertThat(record).containsEntry("hangup_cause", "API_HANGUP").containsEntry("outcome", "CallCompletedByCaller")
                .containsEntry("queue_name", "callback").containsEntry("agent", "alice");
        assertThat(jdbc.queryForList("select event || ':' || queue_name from queue_log where call_id = ? order by id",
                String.class, callId)).containsExactly("ENTERQUEUE:sales", "TRANSFER:sales", "ENTERQUEUE:callback",
                "CONNECT:callback", "COMPLETE:callback");
        assertThat(jdbc.queryForObject("select count(*) from queue_entry", Integer.class)).isZero();
    }

    @Test
    void aTalkingCallIsTransferredToANumberWithRefer() throws Exception {
        int alicePort = Sipp.freePort();
        register("1001", "alice-1001", alicePort);
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        Sipp caller = Sipp.start("caller-menu-1-transferred.xml", Sipp.freePort(), SIP_PORT, "-s", "100",
                "-mp", Integer.toString(Sipp.freePort()));
        Map<String, Object> live = await().atMost(Duration.ofSeconds(30)).until(() -> liveCall("alice", ""),
                call -> call != null && "TALKING".equals(call.get("state")));
        String callId = (String) live.get("callId");

        ResponseEntity<String> transferred = send("alice", HttpMethod.POST, "/api/v1/calls/" + callId + "/transfer",
                "{\"number\":\"2000\"}");
        assertThat(transferred.getStatusCode()).as(transferred.getBody()).isEqualTo(HttpStatus.OK);
        caller.awaitSuccess(Duration.ofSeconds(40));
        agent.awaitSuccess(Duration.ofSeconds(40));

        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(() -> record(callId),
                r -> r.get("ended_at") != null);
        assertThat(record).containsEntry("outcome", "CallTransferredByOperator").containsEntry("agent", "alice");
        assertThat(jdbc.queryForList("select event from queue_log where call_id = ? order by id", String.class,
                callId)).containsExactly("ENTERQUEUE", "CONNECT", "COMPLETE");
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
    }

    @Test
    void clickToCallRingsTheAgentThenTheNumberAndBridgesThem() throws Exception {
        int alicePort = Sipp.freePort();
        register("1001", "alice-1001", alicePort);
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
        assertThat(send("bob", HttpMethod.POST, "/api/v1/calls/originate",
                "{\"agent\":\"alice\",\"number\":\"+4930999\"}").getStatusCode()).as("as another agent")
                .isEqualTo(HttpStatus.FORBIDDEN);
        for (String body : List.of("{}", "{\"agent\":\"alice\"}", "{\"agent\":\"alice\",\"number\":\"call me\"}",
                "[]")) {
            assertThat(send("alice", HttpMethod.POST, "/api/v1/calls/originate", body).getStatusCode()).as(body)
                    .isEqualTo(HttpStatus.BAD_REQUEST);
        }
        assertThat(send("boss", HttpMethod.POST, "/api/v1/calls/originate",
                "{\"agent\":\"nobody\",\"number\":\"+4930999\"}").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(send("boss", HttpMethod.POST, "/api/v1/calls/originate",
                "{\"agent\":\"bob\",\"number\":\"+4930999\"}").getStatusCode()).as("bob is offline")
                .isEqualTo(HttpStatus.CONFLICT);

        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        // The number answers and talks (7 s of speech), then waits for the BYE.
        Sipp pstn = Sipp.start("agent-answer-then-silent.xml", PSTN_PORT, SIP_PORT, "-s", "4930999",
                "-mp", Integer.toString(Sipp.freePort()));
        ResponseEntity<String> placed = send("alice", HttpMethod.POST, "/api/v1/calls/originate",
                "{\"agent\":\"alice\",\"number\":\"+4930999\"}");
        assertThat(placed.getStatusCode()).as(placed.getBody()).isEqualTo(HttpStatus.OK);
        String callId = new ObjectMapper().readTree(placed.getBody()).get("callId").asText();
        assertThat(record(callId)).containsEntry("direction", "outbound").containsEntry("did", "+4930999");

        await().atMost(Duration.ofSeconds(20)).until(() -> record(callId).get("answered_at") != null);
        assertThat(state("alice")).isEqualTo(AgentState.ON_CALL);
        assertThat(liveCall("alice", "")).containsEntry("callId", callId).containsEntry("state", "TALKING");
        // Both hear each other: the number's speech reaches the agent (right channel), who echoes it (left channel).
        assertThat(send("alice", HttpMethod.POST, "/api/v1/calls/" + callId + "/recording",
                "{\"action\":\"start\"}").getStatusCode()).isEqualTo(HttpStatus.OK);
        Thread.sleep(2000);
        assertThat(send("alice", HttpMethod.POST, "/api/v1/calls/" + callId + "/recording",
                "{\"action\":\"stop\"}").getStatusCode()).isEqualTo(HttpStatus.OK);
        Path talk = CONTENT.root().resolve("data/recordings/" + callId + ".wav");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(talk) && Files.size(talk) > 8044);
        double[] rms = Wavs.channelRms(talk);
        assertThat(rms[1]).as("the number's voice, which the agent hears").isGreaterThan(300);
        assertThat(rms[0]).as("the agent's echo of it, which the number hears").isGreaterThan(300);

        assertThat(send("alice", HttpMethod.POST, "/api/v1/calls/" + callId + "/hangup", null).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        agent.awaitSuccess(Duration.ofSeconds(20));
        pstn.awaitSuccess(Duration.ofSeconds(20));
        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(() -> record(callId),
                r -> r.get("ended_at") != null);
        assertThat(record).containsEntry("outcome", "COMPLETED").containsEntry("hangup_cause", "API_HANGUP")
                .containsEntry("agent", "alice");
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
        assertThat(jdbc.queryForList("select to_state from agent_state_log where agent_id = 'alice' and call_id = ?"
                + " order by id", String.class, callId)).containsExactly("ON_CALL", "WRAP_UP");
        assertThat(jdbc.queryForList("select to_state from agent_state_log where agent_id = 'alice'"
                + " and reason = 'outbound call' order by id", String.class)).contains("RESERVED");
        // Announced like an inbound call: arrived (outbound) and ended, from the record's own transactions.
        assertThat(jdbc.queryForList("select event_type from event_outbox where call_id = ? order by seq",
                String.class, callId)).contains("call.arrived", "call.ended");
        assertThat(jdbc.queryForObject("select data from event_outbox where call_id = ? and event_type ="
                + " 'call.arrived'", String.class, callId)).contains("\"direction\":\"outbound\"");
    }

    @Test
    void unknownCallsAreNotFoundAndCommandsNeedTheCallToBeLive() {
        assertThat(send("boss", HttpMethod.POST, "/api/v1/calls/no-such-call/hangup", null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(send("boss", HttpMethod.GET, "/api/v1/calls/no-such-call/timeline", null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        // A record without SIP on this node: an open call whose owner is another node.
        jdbc.update("insert into call_record (call_id, caller, did, started_at, owner_node) values"
                + " ('elsewhere', '+49301', '100', current_timestamp, 'node-b')");
        ResponseEntity<String> elsewhere = send("boss", HttpMethod.POST, "/api/v1/calls/elsewhere/recording",
                "{\"action\":\"start\"}");
        assertThat(elsewhere.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(elsewhere.getBody()).contains("is on node node-b");
        jdbc.update("delete from call_record where call_id = 'elsewhere'");
    }

    private Map<String, Object> liveCall(String user, String query) {
        List<Map<String, Object>> calls = http.withBasicAuth(user, user + "-password")
                .exchange("/api/v1/calls/live" + query, HttpMethod.GET, null, LIST).getBody();
        return calls == null || calls.isEmpty() ? null : calls.get(0);
    }

    private ResponseEntity<String> send(String user, HttpMethod method, String path, String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return http.withBasicAuth(user, user + "-password").exchange(path, method, new HttpEntity<>(body, headers),
                String.class);
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

    /** The longest run of exactly-zero samples in the caller's (left) channel, in seconds. */
    private static double longestSilence(Path wav) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
        int frames = (data.limit() - 44) / 4;
        int longest = 0;
        int run = 0;
        for (int i = 0; i < frames; i++) {
            run = data.getShort(44 + i * 4) == 0 ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest / 8000.0;
    }

    private static int freePort() {
        try {
            return Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
