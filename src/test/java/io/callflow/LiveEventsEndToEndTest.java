package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.events.EventSchemas;
import io.callflow.support.LiveEventClient;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Live events of a real call: a SIPp agent registers, a SIPp caller dials the main number, presses 1, is queued,
 * offered to the agent, connected and hangs up; a WebSocket client and an SSE client (JDK clients, as an integrator
 * would write them) both receive the call's events in order, each matching its documented schema, while another
 * agent's client sees none of them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class LiveEventsEndToEndTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", EndToEndCallTest.PROVISIONING);
    static final int SIP_PORT = freePort();
    static final Duration WAIT = Duration.ofSeconds(20);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        // Helpers run application tests side by side: each keeps its own RTP ports.
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 45000, 45999);
    }

    @LocalServerPort int port;
    @Autowired Agents agents;
    @Autowired IdentityService identityService;
    @Autowired JdbcTemplate jdbc;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @Test
    void webSocketAndSseClientsReceiveTheEventsOfARealCallInOrder() throws Exception {
        createUser("bob", "bob-password");
        URI base = URI.create("http://127.0.0.1:" + port);
        int alicePort = Sipp.freePort();
        Sipp.start("agent-register.xml", alicePort, SIP_PORT, "-s", "1001", "-au", "1001", "-ap", "alice-1001")
                .awaitSuccess(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> agents.find("alice").orElseThrow().state()
                == AgentState.AVAILABLE);

        String types = "types=call.arrived,call.queued,call.offered,call.answered,call.transferred,call.ended";
        try (LiveEventClient webSocket = LiveEventClient.webSocket(base, "admin", "callflow", types);
                LiveEventClient sse = LiveEventClient.sse(base, "admin", "callflow", types);
                LiveEventClient bob = LiveEventClient.webSocket(base, "bob", "bob-password", "")) {
            for (LiveEventClient client : List.of(webSocket, sse, bob)) {
                client.next(e -> e.type().equals("stream.subscribed"), WAIT);
            }
            Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                    "-mp", Integer.toString(Sipp.freePort()));
            Sipp caller = Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "2000",
                    "-mp", Integer.toString(Sipp.freePort()));
            caller.awaitSuccess(Duration.ofSeconds(60));
            agent.awaitSuccess(Duration.ofSeconds(30));

            String callId = webSocket.next(e -> e.type().equals("call.arrived"), WAIT).json().path("callId").asText();
            for (LiveEventClient client : List.of(webSocket, sse)) {
                client.next(e -> e.type().equals("call.ended") && e.json().path("callId").asText().equals(callId),
                        WAIT);
                List<LiveEventClient.Received> ofTheCall = client.all().stream()
                        .filter(e -> e.json().path("callId").asText().equals(callId)).toList();
                assertThat(ofTheCall).extracting(LiveEventClient.Received::type).containsExactly("call.arrived",
                        "call.queued", "call.offered", "call.answered", "call.ended");
                assertThat(ofTheCall.get(0).json().path("data").path("did").asText()).isEqualTo("100");
                assertThat(ofTheCall.get(2).json().path("agentId").asText()).isEqualTo("alice");
                assertThat(ofTheCall.get(4).json().path("data").path("outcome").asText())
                        .isEqualTo("CallCompletedByCaller");
                for (LiveEventClient.Received event : ofTheCall) {
                    assertThat(EventSchemas.violations(event.json())).as(event.json().toString()).isEmpty();
                }
            }
            assertThat(sse.all()).filteredOn(e -> e.json().path("callId").asText().equals(callId))
                    .allMatch(e -> e.sseEvent().equals(e.type()) && e.sseId().equals(e.json().path("id").asText()));
            assertThat(webSocket.all()).extracting(e -> e.json().path("id").asText()).doesNotHaveDuplicates();
            // The outbox holds what was announced, so webhooks see the same events.
            assertThat(jdbc.queryForList("select event_type from event_outbox where call_id = ? and event_type like"
                    + " 'call.%' order by seq", String.class, callId)).containsExactly("call.arrived", "call.queued",
                    "call.offered", "call.answered", "call.ended");
            assertThat(bob.all()).noneMatch(e -> e.json().path("callId").asText().equals(callId));
            assertThat(bob.all()).noneMatch(e -> "alice".equals(e.json().path("agentId").asText()));
        }
    }

    private void createUser(String id, String password) {
        User user = identityService.newUser(id);
        user.setPassword(password);
        identityService.saveUser(user);
        identityService.createMembership(id, "callflow-agent");
    }

    private static int freePort() {
        try {
            return Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
