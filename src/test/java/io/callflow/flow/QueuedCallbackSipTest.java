package io.callflow.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.events.EventSchemas;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.callflow.support.Wavs;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Queued callback over real SIP, RTP and HTTP: a SIPp caller waits in a queue nobody serves, presses the callback key
 * and confirms their number, and is hung up on; the callback keeps the caller's place (listed through the API) and
 * survives a start-up reconciliation; when an agent frees up, the agent's SIPp phone rings first, then the SIPp
 * "customer" behind the outbound trunk is dialled and the two are bridged (audio measured both ways in a recording);
 * a customer who is busy is tried again after the retry delay and then given up with a record; a callback is
 * cancelled through the API.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueuedCallbackSipTest {

    static final String CALLER = "+4930123456";
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                    queues:
                      - { name: support, joinWhenEmpty: true, ringTimeoutSeconds: 10, wrapUpSeconds: 1,
                          maxWaitSeconds: 600, announceSeconds: 60, members: [ alice ],
                          callback: { enabled: true, key: "5", retries: 1, retryDelaySeconds: 1 } }
                    dids:
                      - { did: "100", flow: inbound-call }
                    """);
    static final int SIP_PORT = freePort();
    /** The "PSTN" behind the outbound trunk, where the customers are: a SIPp UAS. */
    static final int PSTN_PORT = freePort();
    static final ParameterizedTypeReference<List<Map<String, Object>>> LIST = new ParameterizedTypeReference<>() { };

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
        registry.add("callflow.sip.port", () -> SIP_PORT);
        registry.add("callflow.sip.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.bind-address", () -> "127.0.0.1");
        // Helpers run application tests side by side: each keeps its own RTP ports.
        registry.add("callflow.media.rtp-port-min", () -> 44000);
        registry.add("callflow.media.rtp-port-max", () -> 44999);
        registry.add("callflow.sip.outbound-trunk", () -> "127.0.0.1:" + PSTN_PORT);
        registry.add("callflow.routing.default-queue", () -> "support");
        // The start-up reconciliation on (tests switch it off by default), so the test can run it again.
        registry.add("callflow.calls.reconcile-at-start", () -> true);
    }

    @Autowired TestRestTemplate http;
    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;
    @Autowired CallControl callControl;
    @Autowired RuntimeService runtimeService;
    @Autowired CallReconciler reconciler;

    @BeforeAll
    void sipp() {
        Sipp.requireSipp();
    }

    @BeforeEach
    void nobodyServesTheQueue() {
        jdbc.update("delete from sip_registration");
        jdbc.update("update agent set state = 'OFFLINE', registered = false, current_call = null, missed_offers = 0");
        // A callback another test left open must not take this test's agent.
        jdbc.update("update callback set state = 'CANCELLED', ended_at = current_timestamp where ended_at is null");
        jdbc.update("delete from queue_entry where kind = 'CALLBACK'");
    }

    @Test
    void aCallerAsksForACallbackHangsUpAndIsCalledBackWhenAnAgentFreesUp() throws Exception {
        String callbackId = callbackRequested();
        // The place is kept across a start-up reconciliation: the caller hung up on purpose.
        reconciler.run(null);
        reconciler.sweep();
        reconciler.sweep();
        assertThat(jdbc.queryForObject("select count(*) from queue_entry where call_id = ? and kind = 'CALLBACK'",
                Integer.class, callbackId)).isEqualTo(1);
        assertThat(runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(callbackId).count())
                .isEqualTo(1);

        Sipp customer = Sipp.start("customer-answer-talk-hangup.xml", PSTN_PORT, SIP_PORT, "-s", "4930123456",
                "-d", "9000", "-mp", Integer.toString(Sipp.freePort()));
        // The agent frees up: registered (AVAILABLE at once), its phone then listening; an INVITE sent in between is
        // retransmitted (or, at worst, a missed offer that the callback survives).
        int alicePort = Sipp.freePort();
        register("1001", "alice-1001", alicePort);
        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));

        // Agent first, then the customer: the record is answered when the customer answers.
        withDiagnosis(callbackId, () -> await().atMost(Duration.ofSeconds(60))
                .until(() -> record(callbackId), r -> r.get("answered_at") != null));
        assertThat(state("alice")).isEqualTo(AgentState.ON_CALL);
        // What each hears: the left channel is the agent's leg, the right the customer's (the agent echoes it back).
        callControl.startRecording(new CallId(callbackId));

        customer.awaitSuccess(Duration.ofSeconds(60));
        agent.awaitSuccess(Duration.ofSeconds(30));
        Map<String, Object> record = await().atMost(Duration.ofSeconds(20)).until(() -> record(callbackId),
                r -> r.get("ended_at") != null);
        assertThat(record).containsEntry("outcome", "CallbackCompleted").containsEntry("caller", CALLER)
                .containsEntry("flow_key", "callback").containsEntry("agent", "alice");
        assertThat(record.get("answered_at")).isNotNull();
        assertThat(callback(callbackId)).containsEntry("state", "COMPLETED").containsEntry("attempts", 1)
                .containsEntry("agent_id", "alice");
        assertThat(queueEvents(callbackId)).containsSubsequence("CALLBACK_REQUESTED", "CONNECT",
                "CALLBACK_ATTEMPT", "COMPLETE", "CALLBACK_COMPLETED");
        assertThat(jdbc.queryForList("select event_type from event_outbox where call_id = ? order by seq",
                String.class, callbackId)).containsSubsequence("callback.requested", "callback.attempted",
                "callback.completed");
        assertValidEvents(callbackId);
        await().atMost(Duration.ofSeconds(20)).until(() -> state("alice") == AgentState.AVAILABLE);

        Path recording = CONTENT.root().resolve("data/recordings/" + callbackId + ".wav");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(recording) && Files.size(recording) > 44);
        double[] rms = Wavs.channelRms(recording);
        assertThat(rms[1]).as("the customer's voice, which the agent hears").isGreaterThan(300);
        assertThat(rms[0]).as("the agent's side (the echo of the customer), which the customer hears")
                .isGreaterThan(300);
    }

    @Test
    void aBusyCustomerIsTriedAgainAfterTheDelayThenGivenUpWithARecord() throws Exception {
        Path busy = Files.createTempFile("customer-busy", ".xml");
        busy.toFile().deleteOnExit();
        Files.writeString(busy, Files.readString(Path.of("src/test/sipp/agent-rejects.xml"))
                .replace("CODE REASON", "486 Busy Here"));
        String callbackId = callbackRequested();

        Sipp customer = Sipp.start(busy.toString(), PSTN_PORT, SIP_PORT, "-s", "4930123456", "-m", "2");
        int alicePort = Sipp.freePort();
        register("1001", "alice-1001", alicePort);
        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-m", "2",
                "-mp", Integer.toString(Sipp.freePort()));

        Map<String, Object> record = withDiagnosis(callbackId, () -> await().atMost(Duration.ofSeconds(90))
                .until(() -> record(callbackId), r -> r.get("ended_at") != null));
        customer.awaitSuccess(Duration.ofSeconds(30));
        agent.awaitSuccess(Duration.ofSeconds(30));
        assertThat(record).containsEntry("outcome", "CallbackFailed");
        assertThat(callback(callbackId)).containsEntry("state", "FAILED").containsEntry("attempts", 2)
                .containsEntry("last_outcome", "CUSTOMER_BUSY");
        assertThat(queueEvents(callbackId)).containsSubsequence("CALLBACK_REQUESTED", "CALLBACK_ATTEMPT",
                "CALLBACK_ATTEMPT", "CALLBACK_FAILED").doesNotContain("CONNECT");
        assertThat(jdbc.queryForObject("select data from event_outbox where call_id = ? and event_type ="
                + " 'callback.failed'", String.class, callbackId)).contains("\"reason\":\"FAILED\"");
        assertValidEvents(callbackId);
        await().atMost(Duration.ofSeconds(20)).until(() -> state("alice") == AgentState.AVAILABLE);
        assertThat(jdbc.queryForObject("select count(*) from queue_entry where call_id = ?", Integer.class,
                callbackId)).isZero();
    }

    @Test
    void aPendingCallbackIsListedAndCancelledThroughTheApi() throws Exception {
        String callbackId = callbackRequested();
        assertThat(http.withBasicAuth("admin", "callflow").exchange("/api/v1/queues/nowhere/callbacks",
                HttpMethod.GET, null, String.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(http.withBasicAuth("admin", "callflow").exchange("/api/v1/queues/support/callbacks/nothing",
                HttpMethod.DELETE, null, String.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);

        ResponseEntity<String> cancelled = http.withBasicAuth("admin", "callflow").exchange(
                "/api/v1/queues/support/callbacks/" + callbackId, HttpMethod.DELETE, null, String.class);
        assertThat(cancelled.getStatusCode()).as(cancelled.getBody()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(listed()).noneMatch(c -> callbackId.equals(c.get("id")));
        assertThat(callback(callbackId)).containsEntry("state", "CANCELLED");
        await().atMost(Duration.ofSeconds(10)).until(() -> record(callbackId).get("ended_at") != null);
        assertThat(record(callbackId)).containsEntry("outcome", "CallbackCancelled");
        ResponseEntity<String> again = http.withBasicAuth("admin", "callflow").exchange(
                "/api/v1/queues/support/callbacks/" + callbackId, HttpMethod.DELETE, null, String.class);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(again.getBody()).contains("CANCELLED");
    }

    /** A SIPp caller asks for a callback and is hung up on; returns the callback's id, checked through the API. */
    private String callbackRequested() throws Exception {
        Sipp caller = Sipp.start("caller-callback.xml", Sipp.freePort(), SIP_PORT, "-s", "100",
                "-mp", Integer.toString(Sipp.freePort()));
        caller.awaitSuccess(Duration.ofSeconds(90));
        Map<String, Object> callerRecord = await().atMost(Duration.ofSeconds(20)).until(
                () -> jdbc.queryForList("select * from call_record where flow_key = 'inbound-call' and ended_at is not"
                        + " null order by started_at desc").stream().findFirst().orElse(null),
                r -> r != null && "CallbackArranged".equals(r.get("outcome")));
        String callbackId = jdbc.queryForObject("select id from callback where call_id = ?", String.class,
                callerRecord.get("call_id"));
        List<Map<String, Object>> listed = listed();
        assertThat(listed).anySatisfy(c -> assertThat(c).containsEntry("id", callbackId)
                .containsEntry("number", CALLER).containsEntry("state", "PENDING")
                .containsEntry("callId", callerRecord.get("call_id")));
        assertThat(queueEvents(callbackId)).contains("CALLBACK_REQUESTED");
        // The caller's own exit is no abandon: the place went to the callback.
        assertThat(queueEvents((String) callerRecord.get("call_id"))).contains("ENTERQUEUE").doesNotContain("ABANDON");
        return callbackId;
    }

    /** Every callback.* event the outbox holds for the callback matches its documented schema. */
    private void assertValidEvents(String callbackId) throws IOException {
        var mapper = new ObjectMapper();
        List<Map<String, Object>> rows = jdbc.queryForList("select * from event_outbox where call_id = ? and"
                + " event_type like 'callback.%'", callbackId);
        assertThat(rows).isNotEmpty();
        for (Map<String, Object> row : rows) {
            var event = mapper.createObjectNode();
            event.put("id", (String) row.get("event_id")).put("type", (String) row.get("event_type"))
                    .put("version", ((Number) row.get("version")).intValue())
                    .put("occurredAt", "2026-01-01T00:00:00Z").put("callId", callbackId)
                    .put("queue", (String) row.get("queue_name"));
            if (row.get("agent_id") == null) {
                event.putNull("agentId");
            } else {
                event.put("agentId", (String) row.get("agent_id"));
            }
            event.set("data", mapper.readTree((String) row.get("data")));
            assertThat(EventSchemas.violations(event)).as(row.toString()).isEmpty();
        }
    }

    /** Runs a wait; when it times out, the failure says where the callback stands (rows, process, jobs, log). */
    private <T> T withDiagnosis(String callbackId, java.util.function.Supplier<T> wait) {
        try {
            return wait.get();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\ncallback: " + jdbc.queryForList("select * from callback"
                    + " where id = ?", callbackId) + "\nqueue entry: " + jdbc.queryForList("select * from queue_entry"
                    + " where call_id = ?", callbackId) + "\nactivities: " + jdbc.queryForList("select e.act_id_,"
                    + " e.is_active_ from act_ru_execution e join act_ru_execution p on p.id_ = e.proc_inst_id_"
                    + " where p.business_key_ = ?", callbackId) + "\njobs: " + jdbc.queryForList("select j.type_,"
                    + " j.duedate_, j.retries_, j.exception_msg_, j.lock_exp_time_ from act_ru_job j join"
                    + " act_ru_execution p on p.id_ = j.process_instance_id_ where p.business_key_ = ?", callbackId)
                    + "\nqueue log: " + jdbc.queryForList("select event_time, event, agent_id, data1 from queue_log"
                    + " where call_id = ? order by id", callbackId) + "\nagents: " + jdbc.queryForList("select id,"
                    + " state, registered, current_call from agent"), e);
        }
    }

    private List<Map<String, Object>> listed() {
        ResponseEntity<List<Map<String, Object>>> response = http.withBasicAuth("admin", "callflow")
                .exchange("/api/v1/queues/support/callbacks", HttpMethod.GET, null, LIST);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        return response.getBody();
    }

    private Map<String, Object> record(String callId) {
        return jdbc.queryForMap("select * from call_record where call_id = ?", callId);
    }

    private Map<String, Object> callback(String id) {
        return jdbc.queryForMap("select * from callback where id = ?", id);
    }

    private List<String> queueEvents(String callId) {
        return jdbc.queryForList("select event from queue_log where call_id = ? order by id", String.class, callId);
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
