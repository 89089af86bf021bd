package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.support.Baresip;
import io.callflow.support.TestContent;
import io.callflow.support.Tones;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A five-party conference with real phones (baresip), driven over the HTTP API: caller and agent moved into a room,
 * three agents added (by name, by queue, by name), each phone sending its own tone. What each phone heard shows that
 * everyone hears the four others and not itself, that a muted participant is heard by nobody, and that a removed one
 * is gone; then the caller hangs up in the middle: every phone is hung up, the added agents are released, the room
 * is gone and the call's record closed. And the moderator (the call's agent) hanging up ends the room.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConferenceTest {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001 }
              - { id: bob, sipUser: "1002", password: bob-1002 }
              - { id: carol, sipUser: "1003", password: carol-1003 }
              - { id: dave, sipUser: "1004", password: dave-1004 }
            queues:
              - { name: helpers, joinWhenEmpty: true, wrapUpSeconds: 1, members: [ carol ] }
            dids:
              - { did: "401", flow: conference-agent }
            """;
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", PROVISIONING)
            .with("processes/conference-agent.bpmn", SipTestFlows.menuThenAgent("conference-agent", false));
    static final int SIP_PORT = RunningCallflow.freePort();
    static final Duration SIGNALLING = Duration.ofSeconds(30);
    static final double CALLER = 500;
    static final double ALICE = 900;
    static final double BOB = 1300;
    static final double CAROL = 1700;
    static final double DAVE = 2100;
    static final ObjectMapper JSON = new ObjectMapper();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        // This helper's RTP range: Callflow 42000-42199, the phones 42200-42699.
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 42000, 42199);
        registry.add("callflow.conference.ring-timeout", () -> "PT20S");
    }

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;
    @Autowired IdentityService identityService;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void usersAndTones() throws Exception {
        Baresip.require();
        User boss = identityService.newUser("boss");
        boss.setPassword("boss-password");
        identityService.saveUser(boss);
        identityService.createMembership("boss", "callflow-supervisor");
        User alice = identityService.newUser("alice");
        alice.setPassword("alice-password");
        identityService.saveUser(alice);
        identityService.createMembership("alice", "callflow-agent");
    }

    @Test
    void fivePartiesHearEachOtherButNotThemselvesMutedIsHeardByNobodyAndTheCallersGoingEndsIt() throws Exception {
        try (Baresip caller = phone(Baresip.caller(), CALLER, 42200);
                Baresip alice = phone(Baresip.agent("1001", "alice-1001", SIP_PORT), ALICE, 42300);
                Baresip bob = phone(Baresip.agent("1002", "bob-1002", SIP_PORT), BOB, 42400);
                Baresip carol = phone(Baresip.agent("1003", "carol-1003", SIP_PORT), CAROL, 42500);
                Baresip dave = phone(Baresip.agent("1004", "dave-1004", SIP_PORT), DAVE, 42600)) {
            for (Baresip agent : List.of(alice, bob, carol, dave)) {
                agent.awaitEvent("REGISTER_OK", SIGNALLING);
            }
            await().atMost(SIGNALLING).until(() -> List.of("bob", "carol", "dave").stream()
                    .allMatch(id -> state(id) == AgentState.AVAILABLE));
            String callId = connect(caller, alice);

            // Bad input and refusals: problem details, nothing changes.
            assertThat(send("boss", "POST", "/api/v1/conferences", "{\"name\":\"x\"}").statusCode()).isEqualTo(400);
            assertThat(send("boss", "POST", "/api/v1/conferences", "{\"callId\":\"" + callId
                    + "\",\"name\":\"bad name!\"}").statusCode()).isEqualTo(400);
            assertThat(send("boss", "POST", "/api/v1/conferences", "{\"callId\":\"nope\"}").statusCode())
                    .isEqualTo(404);
            assertThat(send("boss", "GET", "/api/v1/conferences/room-a", null).statusCode()).isEqualTo(404);

            HttpResponse<String> created = send("boss", "POST", "/api/v1/conferences", "{\"callId\":\"" + callId
                    + "\",\"name\":\"room-a\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(send("boss", "POST", "/api/v1/conferences", "{\"callId\":\"" + callId + "\"}").statusCode())
                    .as("in a room already").isEqualTo(409);
            String participants = "/api/v1/conferences/room-a/participants";
            for (String body : List.of("{}", "[]", "{\"agent\":\"nobody\"}", "{\"queue\":\"nope\"}",
                    "{\"number\":\"sip:x@y\"}", "{\"agent\":\"bob\",\"queue\":\"helpers\"}", "{\"agent\":7}",
                    "{\"agent\":\"bob\",\"muted\":\"yes\"}")) {
                HttpResponse<String> refused = send("boss", "POST", participants, body);
                assertThat(refused.statusCode()).as(body).isEqualTo(400);
                assertThat(refused.headers().firstValue("content-type").orElse("")).contains("problem+json");
            }
            assertThat(send("boss", "POST", participants, "{\"number\":\"+4930999\"}").statusCode())
                    .as("no outbound trunk").isEqualTo(409);

            join(bob, participants, "{\"agent\":\"bob\"}", "p3");
            join(carol, participants, "{\"queue\":\"helpers\"}", "p4");
            assertThat(send("boss", "POST", participants, "{\"agent\":\"bob\"}").statusCode())
                    .as("bob is in the room").isEqualTo(409);
            join(dave, participants, "{\"agent\":\"dave\"}", "p5");
            assertThat(state("carol")).isEqualTo(AgentState.ON_CALL);

            JsonNode room = JSON.readTree(send("boss", "GET", "/api/v1/conferences/room-a", null).body());
            assertThat(room.path("moderator").asText()).isEqualTo("p2");
            assertThat(room.path("participants").findValuesAsText("status")).containsOnly("JOINED").hasSize(5);
            assertThat(JSON.readTree(send("boss", "GET", "/api/v1/conferences", null).body())
                    .findValuesAsText("name")).containsExactly("room-a");

            List<Baresip> phones = List.of(caller, alice, bob, carol, dave);
            double[] tones = {CALLER, ALICE, BOB, CAROL, DAVE};
            short[][] heard = listen(phones);
            for (int i = 0; i < phones.size(); i++) {
                for (int j = 0; j < tones.length; j++) {
                    assertThat(hears(heard[i], tones[j])).as("party %d hears party %d", i, j).isEqualTo(i != j);
                }
            }

            // Carol muted: she hears all, nobody hears her; unmuted, she is heard again.
            HttpResponse<String> muted = send("boss", "PATCH", participants + "/p4", "{\"muted\":true}");
            assertThat(muted.statusCode()).as(muted.body()).isEqualTo(200);
            assertThat(JSON.readTree(muted.body()).path("muted").asBoolean()).isTrue();
            assertThat(send("boss", "PATCH", participants + "/p4", "{\"muted\":1}").statusCode()).isEqualTo(400);
            heard = listen(phones);
            for (int i = 0; i < phones.size(); i++) {
                assertThat(hears(heard[i], CAROL)).as("party %d hears muted carol", i).isFalse();
            }
            assertThat(hears(heard[3], CALLER)).as("muted carol hears the caller").isTrue();
            assertThat(hears(heard[0], DAVE)).as("the caller hears dave").isTrue();
            send("boss", "PATCH", participants + "/p4", "{\"muted\":false}");
            heard = listen(phones);
            assertThat(hears(heard[0], CAROL)).as("the caller hears carol again").isTrue();

            // Bob removed: his phone is hung up, he goes to wrap-up and back; the others go on.
            assertThat(send("boss", "DELETE", participants + "/p9", null).statusCode()).isEqualTo(409);
            assertThat(send("boss", "DELETE", participants + "/p3", null).statusCode()).isEqualTo(202);
            bob.awaitEvent("CALL_CLOSED", SIGNALLING);
            await().atMost(SIGNALLING).until(() -> state("bob") == AgentState.AVAILABLE);
            heard = listen(List.of(caller, alice, carol, dave));
            assertThat(hears(heard[0], BOB)).as("bob is gone").isFalse();
            assertThat(hears(heard[0], DAVE)).as("the caller hears dave").isTrue();

            // The caller hangs up in the middle: the call ends with every leg, nothing stays stuck.
            caller.hangUp();
            for (Baresip phone : List.of(alice, carol, dave)) {
                phone.awaitEvent("CALL_CLOSED", SIGNALLING);
            }
            await().atMost(SIGNALLING).until(() -> send("boss", "GET", "/api/v1/conferences/room-a", null)
                    .statusCode() == 404);
            await().atMost(SIGNALLING).until(() -> jdbc.queryForObject("select count(*) from call_record where"
                    + " call_id = ? and ended_at is null", Integer.class, callId) == 0);
            await().atMost(SIGNALLING).until(() -> List.of("bob", "carol", "dave").stream()
                    .allMatch(id -> state(id) == AgentState.AVAILABLE));
            assertThat(jdbc.queryForObject("select count(*) from agent where current_call like ?", Integer.class,
                    callId + "%")).isZero();
            assertThat(jdbc.queryForList("select action from call_action where call_id = ? order by at, id",
                    String.class, callId)).contains("CONFERENCE_START", "CONFERENCE_ADD", "CONFERENCE_JOINED",
                    "CONFERENCE_MUTE", "CONFERENCE_UNMUTE", "CONFERENCE_REMOVE", "CONFERENCE_LEFT");
            assertThat(jdbc.queryForList("select event_type from event_outbox where call_id = ?", String.class,
                    callId)).contains("conference.participant_joined", "conference.participant_muted",
                    "conference.participant_left");
            assertThat(jdbc.queryForObject("select count(*) from queue_log where call_id = ? and event ="
                    + " 'CONFERENCE' and data1 = 'room-a'", Integer.class, callId)).isOne();
        }
    }

    @Test
    void theModeratorLeavingEndsTheRoomAndReleasesEveryone() throws Exception {
        try (Baresip caller = phone(Baresip.caller(), CALLER, 42200);
                Baresip alice = phone(Baresip.agent("1001", "alice-1001", SIP_PORT), ALICE, 42300);
                Baresip bob = phone(Baresip.agent("1002", "bob-1002", SIP_PORT), BOB, 42400)) {
            alice.awaitEvent("REGISTER_OK", SIGNALLING);
            bob.awaitEvent("REGISTER_OK", SIGNALLING);
            await().atMost(SIGNALLING).until(() -> state("bob") == AgentState.AVAILABLE);
            String callId = connect(caller, alice);
            HttpResponse<String> created = send("boss", "POST", "/api/v1/conferences", "{\"callId\":\"" + callId
                    + "\",\"name\":\"room-b\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            join(bob, "/api/v1/conferences/room-b/participants", "{\"agent\":\"bob\"}", "p3");

            alice.hangUp();
            caller.awaitEvent("CALL_CLOSED", SIGNALLING);
            bob.awaitEvent("CALL_CLOSED", SIGNALLING);
            await().atMost(SIGNALLING).until(() -> send("boss", "GET", "/api/v1/conferences/room-b", null)
                    .statusCode() == 404);
            await().atMost(SIGNALLING).until(() -> state("bob") == AgentState.AVAILABLE);
            await().atMost(SIGNALLING).until(() -> jdbc.queryForObject("select count(*) from call_record where"
                    + " call_id = ? and ended_at is null", Integer.class, callId) == 0);
            assertThat(jdbc.queryForObject("select count(*) from agent where current_call like ?", Integer.class,
                    callId + "%")).isZero();
        }
    }

    /** The caller dials the flow's number and alice answers; returns the call's id once its record is open. */
    private String connect(Baresip caller, Baresip alice) throws Exception {
        caller.dial("sip:401@127.0.0.1:" + SIP_PORT);
        alice.awaitEvent("CALL_INCOMING", SIGNALLING);
        alice.accept();
        caller.awaitEvent("CALL_RTPESTAB", SIGNALLING);
        return await().atMost(SIGNALLING).until(() -> jdbc.queryForList("select call_id from call_record where did"
                + " = '401' and ended_at is null", String.class), ids -> ids.size() == 1).get(0);
    }

    /** Adds a participant over the API, answers its phone and waits until it is in the room's mix. */
    private void join(Baresip phone, String participants, String body, String id) throws Exception {
        String room = participants.substring(0, participants.lastIndexOf('/'));
        HttpResponse<String> added = send("boss", "POST", participants, body);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(202);
        assertThat(JSON.readTree(added.body()).path("id").asText()).isEqualTo(id);
        phone.awaitEvent("CALL_INCOMING", SIGNALLING);
        phone.accept();
        phone.awaitEvent("CALL_RTPESTAB", SIGNALLING);
        await().atMost(SIGNALLING).until(() -> JSON.readTree(send("boss", "GET", room, null).body())
                .path("participants").findValuesAsText("status").stream()
                .filter("JOINED"::equals).count() == Integer.parseInt(id.substring(1)));
    }

    private static Baresip phone(Baresip.Builder builder, double tone, int rtpMin) throws Exception {
        return builder.source(Tones.wav(tone, 60)).rtpPorts(rtpMin, rtpMin + 99).start();
    }

    private AgentState state(String agentId) {
        return agents.find(agentId).orElseThrow().state();
    }

    private HttpResponse<String> send(String user, String method, String path, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user
                            + "-password").getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .build();
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What each phone heard in 1.5 s of audio, after skipping 0.4 s of it (the mix settles, a change takes effect):
     * waits on what the phones have written, not on the clock.
     */
    private static short[][] listen(List<Baresip> phones) throws Exception {
        long[] from = new long[phones.size()];
        for (int i = 0; i < from.length; i++) {
            from[i] = Files.size(phones.get(i).heard()) + 6400;
        }
        await().atMost(SIGNALLING).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (int i = 0; i < from.length; i++) {
                if (Files.size(phones.get(i).heard()) < from[i] + 24000) {
                    return false;
                }
            }
            return true;
        });
        short[][] heard = new short[phones.size()][];
        for (int i = 0; i < from.length; i++) {
            heard[i] = Tones.readSince(phones.get(i).heard(), from[i]);
        }
        return heard;
    }

    /** Whether at least a third of the 20 ms blocks carry the tone clearly (heard), or hardly any (not heard). */
    private static boolean hears(short[] heard, double hertz) {
        assertThat(heard.length / 160).as("audio recorded").isGreaterThan(20);
        return Tones.heard(heard, hertz);
    }
}
