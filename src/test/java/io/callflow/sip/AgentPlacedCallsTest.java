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

import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.support.Sipp;
import io.callflow.support.Wavs;
import io.callflow.support.TestContent;
import org.junit.jupiter.api.AfterAll;
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
 * Calls agents place from their phones, over real SIP and RTP: SIPp phones authenticate their INVITEs with digest,
 * the dial plan from the provisioning file routes them to another agent (audio both ways), to an outside number
 * through a SIPp carrier that demands a digest REGISTER first (registered, refreshed, caller ID checked), or to a
 * feature code; a wrong password gets 403, an unknown number 404; after every hang-up the agents are free and the
 * records closed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentPlacedCallsTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                      - { id: bob, sipUser: "1002", password: bob-1002, skills: { english: 6 } }
                    queues:
                      - { name: sales, joinWhenEmpty: true, ringTimeoutSeconds: 3, wrapUpSeconds: 1,
                          members: [ alice, bob ] }
                    dids:
                      - { did: "100", flow: inbound-call }
                    dialPlan:
                      extensions:
                        - { number: "201", agent: alice, did: "+4930555201" }
                        - { number: "202", agent: bob }
                      queues:
                        - { number: "600", queue: sales }
                      outside:
                        - { pattern: "0[1-9][0-9]{4,14}", strip: 1, prepend: "+49", trunk: carrier,
                            callerId: agent-did }
                      features:
                        - { code: "*21", feature: pause, reason: lunch }
                        - { code: "*22", feature: resume }
                    """);
    static final int SIP_PORT = freePort();
    static final int CARRIER_PORT = freePort();
    /** The carrier: started before Callflow, which registers with it at start-up. */
    static Sipp carrier;
    static final ParameterizedTypeReference<List<Map<String, Object>>> LIST = new ParameterizedTypeReference<>() { };
    static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Sipp.requireSipp();
        carrier = Sipp.start("carrier-register-invite.xml", CARRIER_PORT, SIP_PORT, "-m", "2", "-rtp_echo",
                "-timeout", "600s", "-mp", Integer.toString(freePort()));
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
        registry.add("callflow.sip.port", () -> SIP_PORT);
        registry.add("callflow.sip.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.bind-address", () -> "127.0.0.1");
        // Helpers run application tests side by side: each keeps its own RTP ports.
        registry.add("callflow.media.rtp-port-min", () -> 45500);
        registry.add("callflow.media.rtp-port-max", () -> 45999);
        // The phones are on 127.0.0.1: the trunk (callers from the PSTN) is elsewhere, so their INVITEs are agents'.
        registry.add("callflow.sip.trunks[0].name", () -> "pstn");
        registry.add("callflow.sip.trunks[0].cidrs[0]", () -> "127.0.0.2/32");
        registry.add("callflow.sip.outbound-trunks[0].name", () -> "carrier");
        registry.add("callflow.sip.outbound-trunks[0].address", () -> "127.0.0.1:" + CARRIER_PORT);
        registry.add("callflow.sip.outbound-trunks[0].registration.username", () -> "callflow");
        registry.add("callflow.sip.outbound-trunks[0].registration.password", () -> "carrier-secret");
        registry.add("callflow.sip.outbound-trunks[0].registration.retry-initial", () -> "500ms");
    }

    @Autowired TestRestTemplate http;
    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;
    @Autowired CallControl callControl;

    @AfterAll
    static void stopCarrier() {
        if (carrier != null) {
            carrier.kill();
        }
    }

    @BeforeEach
    void everyoneOffline() {
        jdbc.update("delete from sip_registration");
        jdbc.update("update agent set state = 'OFFLINE', registered = false, current_call = null, missed_offers = 0");
    }

    @Test
    void anAgentCallsAnotherAgentByExtensionTheyHearEachOtherAndTheCalledOneHangsUp() throws Exception {
        register("1001", "alice-1001", freePort());
        int bobPort = freePort();
        register("1002", "bob-1002", bobPort);
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE
                && state("bob") == AgentState.AVAILABLE);

        Sipp bob = Sipp.start("agent-answer-hangup.xml", bobPort, SIP_PORT, "-s", "1002", "-rtp_echo", "-d", "9000",
                "-mp", Integer.toString(freePort()));
        Sipp alice = dial("agent-dials-hung-up.xml", "202", "alice-1001", "-mp", Integer.toString(freePort()));

        Map<String, Object> talking = await().atMost(Duration.ofSeconds(30)).until(() -> lastRecord("internal"),
                r -> r != null && r.get("answered_at") != null);
        String callId = (String) talking.get("call_id");
        // What each hears: the recording's left channel is alice (the caller leg), the right what bob sends back.
        callControl.startRecording(new CallId(callId));
        assertThat(talking).containsEntry("caller", "1001").containsEntry("did", "202")
                .containsEntry("agent", "alice");
        await().atMost(Duration.ofSeconds(5)).until(() -> state("alice") == AgentState.ON_CALL
                && state("bob") == AgentState.ON_CALL);

        bob.awaitSuccess(Duration.ofSeconds(60));
        alice.awaitSuccess(Duration.ofSeconds(30));
        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(() -> lastRecord("internal"),
                r -> r.get("ended_at") != null);
        assertThat(record).containsEntry("outcome", "COMPLETED").containsEntry("hangup_cause", "REMOTE_HANGUP");
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE
                && state("bob") == AgentState.AVAILABLE);

        Path recording = CONTENT.root().resolve("data/recordings/" + callId + ".wav");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(recording) && Files.size(recording) > 44);
        double[] rms = Wavs.channelRms(recording);
        assertThat(rms[0]).as("alice's voice, which bob hears").isGreaterThan(300);
        assertThat(rms[1]).as("bob's voice (his echo), which alice hears").isGreaterThan(300);
    }

    @Test
    void anAgentDialsAnOutsideNumberThroughTheCarrierItRegisteredWithPresentingItsDid() throws Exception {
        // Registered, and refreshed before the 3 s the carrier granted ran out.
        Map<String, Object> trunk = await().atMost(Duration.ofSeconds(30)).until(() -> carrierStatus(),
                status -> "REGISTERED".equals(status.get("state"))
                        && ((Number) status.get("registrations")).intValue() >= 2);
        assertThat(trunk).containsEntry("registers", true).containsEntry("address", "127.0.0.1:" + CARRIER_PORT);
        Map<String, Object> health = http.withBasicAuth("admin", "callflow").exchange("/actuator/health",
                HttpMethod.GET, null, JSON).getBody();
        assertThat(health.toString()).contains("sipTrunks").contains("allRegistered=true");
        register("1001", "alice-1001", freePort());
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);

        Sipp alice = dial("agent-dials.xml", "0309998888", "alice-1001", "-d", "2000", "-mp",
                Integer.toString(freePort()));
        await().atMost(Duration.ofSeconds(30)).until(() -> state("alice") == AgentState.ON_CALL);
        alice.awaitSuccess(Duration.ofSeconds(60));
        carrier.awaitSuccess(Duration.ofSeconds(30));

        Map<String, Object> record = await().atMost(Duration.ofSeconds(10)).until(() -> lastRecord("outbound"),
                r -> r != null && r.get("ended_at") != null);
        assertThat(record).containsEntry("caller", "1001").containsEntry("did", "+49309998888")
                .containsEntry("agent", "alice").containsEntry("outcome", "COMPLETED");
        assertThat(record.get("answered_at")).isNotNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
    }

    @Test
    void aWrongPasswordIsRefusedAnUnknownNumberIsNotFoundAndFeatureCodesPauseAndResume() throws Exception {
        register("1001", "alice-1001", freePort());
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice") == AgentState.AVAILABLE);
        int openBefore = openRecords();

        dial("agent-dials-refused.xml", "202", "not-alices-password").awaitSuccess(Duration.ofSeconds(30));
        dial("agent-dials-unknown.xml", "999", "alice-1001").awaitSuccess(Duration.ofSeconds(30));
        assertThat(state("alice")).isEqualTo(AgentState.AVAILABLE);

        dial("agent-dials-hung-up.xml", "*21", "alice-1001", "-mp", Integer.toString(freePort()))
                .awaitSuccess(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> state("alice") == AgentState.PAUSED);
        assertThat(agents.find("alice").orElseThrow().stateReason()).isEqualTo("lunch");

        dial("agent-dials-hung-up.xml", "*22", "alice-1001", "-mp", Integer.toString(freePort()))
                .awaitSuccess(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> state("alice") == AgentState.AVAILABLE);
        assertThat(openRecords()).isEqualTo(openBefore);
    }

    @Test
    void theDialPlanIsReadableByAdministratorsAndReadOnlyWhileTheFileDeclaresIt() {
        ResponseEntity<Map<String, Object>> plan = http.withBasicAuth("admin", "callflow").exchange("/api/v1/dialplan",
                HttpMethod.GET, null, JSON);
        assertThat(plan.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(plan.getBody()).containsEntry("managedBy", "file");
        assertThat(plan.getBody().get("availableFeatures").toString()).contains("pause", "resume");
        assertThat(plan.getBody().get("dialPlan").toString()).contains("+4930555201", "*21");

        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        ResponseEntity<Map<String, Object>> refused = http.withBasicAuth("admin", "callflow").exchange(
                "/api/v1/dialplan", HttpMethod.PUT, new HttpEntity<>("{\"features\": []}", headers), JSON);
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat((String) refused.getBody().get("detail")).contains("provisioning file");
    }

    private Map<String, Object> carrierStatus() {
        List<Map<String, Object>> trunks = http.withBasicAuth("admin", "callflow").exchange("/api/v1/trunks",
                HttpMethod.GET, null, LIST).getBody();
        return trunks == null ? Map.of() : trunks.stream().filter(t -> "carrier".equals(t.get("trunk"))).findFirst()
                .orElse(Map.of());
    }

    private Map<String, Object> lastRecord(String direction) {
        List<Map<String, Object>> rows = jdbc.queryForList("select * from call_record where direction = ?"
                + " order by started_at desc fetch first 1 rows only", direction);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private int openRecords() {
        return jdbc.queryForObject("select count(*) from call_record where ended_at is null", Integer.class);
    }

    private void register(String user, String password, int port) throws Exception {
        Sipp.start("agent-register.xml", port, SIP_PORT, "-s", user, "-au", user, "-ap", password)
                .awaitSuccess(Duration.ofSeconds(20));
    }

    /**
     * Alice's phone dials {@code number}. SIPp's digest answer names the server address as its uri unless told the
     * Request-URI (RFC 3261 section 22.4 wants the Request-URI, and Callflow checks it).
     */
    private Sipp dial(String scenario, String number, String password, String... extra) throws IOException {
        List<String> arguments = new java.util.ArrayList<>(List.of("-s", number, "-set", "user", "1001", "-au",
                "1001", "-ap", password, "-auth_uri", number + "@127.0.0.1:" + SIP_PORT));
        arguments.addAll(List.of(extra));
        return Sipp.start(scenario, freePort(), SIP_PORT, arguments.toArray(String[]::new));
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
