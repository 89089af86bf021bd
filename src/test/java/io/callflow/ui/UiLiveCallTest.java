package io.callflow.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.support.Browser;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The live pages with a real call: a SIPp agent registers and answers, a SIPp caller dials the main number and presses
 * 1; the agent desktop in headless Chromium shows the call's card when the call is offered, without a reload, hangs it
 * up from the card and saves the wrap-up disposition on the call record; the API's refusals (a transfer the call's
 * state does not allow, click-to-call without a trunk) are shown as the API words them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiLiveCallTest {

    @RegisterExtension
    static final Browser BROWSER = new Browser();

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, name: Alice Agent, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                    queues:
                      - { name: sales, strategy: longest-idle, ringTimeoutSeconds: 15, wrapUpSeconds: 1,
                          maxWaitSeconds: 120, joinWhenEmpty: true, members: [ alice ] }
                    dids:
                      - { did: "100", flow: inbound-call }
                    """);
    static final int SIP_PORT = freePort();
    static final String CALLER = "+4930123456";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        // Helpers run application tests side by side: each keeps its own RTP ports.
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 48000, 48999);
        registry.add("callflow.content.ui-dir", () -> Path.of("ui").toAbsolutePath().toString());
    }

    @LocalServerPort int port;
    @Autowired Agents agents;
    @Autowired IdentityService identityService;
    @Autowired JdbcTemplate jdbc;

    @BeforeAll
    void users() {
        Sipp.requireSipp();
        User alice = identityService.newUser("alice");
        alice.setPassword("alice-password");
        identityService.saveUser(alice);
        identityService.createMembership("alice", "callflow-agent");
    }

    @Test
    void theAgentDesktopShowsTheOfferedCallHangsItUpAndSavesTheWrapUp() throws Exception {
        int alicePort = Sipp.freePort();
        Sipp.start("agent-register.xml", alicePort, SIP_PORT, "-s", "1001", "-au", "1001", "-ap", "alice-1001")
                .awaitSuccess(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> agents.find("alice").orElseThrow().state()
                == AgentState.AVAILABLE);
        LoginPage.open(BROWSER, "http://localhost:" + port).signInAndLand("alice", "alice-password");
        AgentDesktopPage desktop = new AgentDesktopPage(BROWSER);
        desktop.awaitLive();

        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        Sipp caller = Sipp.start("caller-menu-1-until-bye.xml", Sipp.freePort(), SIP_PORT, "-s", "100",
                "-mp", Integer.toString(Sipp.freePort()));
        // The menu and the queue take their time on a loaded machine; the page then has its usual 15 s.
        await().atMost(Duration.ofSeconds(60)).until(() -> agents.find("alice").orElseThrow().currentCall() != null);
        String status = desktop.awaitCallCard(CALLER);
        assertThat(status).isIn("RINGING", "CONNECTED");
        String callId = desktop.cardField("callId");
        assertThat(desktop.cardField("did")).isEqualTo("100");
        assertThat(desktop.cardField("queue")).isEqualTo("sales");
        desktop.awaitCallStatus("CONNECTED");
        desktop.awaitState("ON CALL");
        // Hold and resume from the card: the label follows the call.held / call.resumed events.
        desktop.toggleHold(true);
        desktop.toggleHold(false);
        BROWSER.screenshot("agent-call-card");
        // A talking call cannot move to a queue: the API's 409 is shown on the card as it is.
        desktop.transfer("queue", "sales");
        assertThat(desktop.awaitCallFeedback("Call '")).contains("is not waiting in a queue");

        desktop.hangUp();
        desktop.awaitCallStatus("ENDED");
        caller.awaitSuccess(Duration.ofSeconds(30));
        agent.awaitSuccess(Duration.ofSeconds(30));
        Map<String, Object> record = jdbc.queryForMap("select hangup_cause, ended_at from call_record"
                + " where call_id = ?", callId);
        assertThat(record.get("hangup_cause")).isEqualTo("API_HANGUP");
        assertThat(record.get("ended_at")).isNotNull();

        desktop.saveDisposition("Callback requested", "wants a quote");
        assertThat(desktop.awaitCallFeedback("Saved")).isEqualTo("Saved disposition 'Callback requested'.");
        assertThat(jdbc.queryForMap("select disposition, disposition_note from call_record where call_id = ?", callId))
                .containsEntry("disposition", "Callback requested").containsEntry("disposition_note", "wants a quote");
        desktop.awaitTodaysDisposition(callId, "Callback requested");
        BROWSER.screenshot("agent-wrap-up");

        // Click-to-call without an outbound trunk: the API's refusal, shown as it is.
        await().atMost(Duration.ofSeconds(10)).until(() -> agents.find("alice").orElseThrow().state()
                == AgentState.AVAILABLE);
        assertThat(desktop.dial("+4930999")).isEqualTo("No outbound trunk is configured (callflow.sip.outbound-trunk)");
    }

    private static int freePort() {
        try {
            return Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
