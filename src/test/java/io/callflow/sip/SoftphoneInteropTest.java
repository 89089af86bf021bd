package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.callflow.support.Baresip;
import io.callflow.support.Linphone;
import io.callflow.support.Tones;
import io.callflow.support.TestContent;
import org.junit.jupiter.api.BeforeAll;
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
 * Real softphones from Debian packages against a running Callflow with its default digest settings: baresip and
 * linphonec as agents' phones and as callers on the trunk (127.0.0.1). Each call goes phone to Callflow to phone, each phone sending its own
 * tone from a WAV file, so "audio both ways" means each side heard the other's tone, not its own.
 */
@SpringBootTest
@ActiveProfiles("test")
class SoftphoneInteropTest {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001 }
              - { id: bob, sipUser: "1002", password: bob-1002 }
              - { id: carol, sipUser: "1003", password: carol-1003 }
            dids:
              - { did: "400", flow: interop-agent }
              - { did: "401", flow: interop-menu }
            """;
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", PROVISIONING)
            .with("processes/interop-agent.bpmn", SipTestFlows.menuThenAgent("interop-agent", false))
            .with("processes/interop-menu.bpmn", SipTestFlows.menuThenAgent("interop-menu", true));
    static final int SIP_PORT = RunningCallflow.freePort();
    static final Duration SIGNALLING = Duration.ofSeconds(10);
    /**
     * The caller's tone and the agent's: far enough apart (and off each other's harmonics) to tell apart, and off the
     * DTMF grid, since a phone may play the keys it sends to its own speaker (and so into its recording).
     */
    static final double CALLER_TONE = 500;
    static final double AGENT_TONE = 1100;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        phoneTestProperties(registry, CONTENT, SIP_PORT);
    }

    /** Callflow on loopback for real phones: content, SIP port, and RTP in 41000-41499 (the phones use 41500-41999). */
    static void phoneTestProperties(DynamicPropertyRegistry registry, TestContent content, int sipPort) {
        content.registerLoopbackCallflow(registry, sipPort, 41000, 41499);
    }

    static Path callerTone;
    static Path agentTone;

    @Autowired JdbcTemplate jdbc;

    @BeforeAll
    static void tones() throws Exception {
        Baresip.require();
        Linphone.require();
        callerTone = Tones.wav(CALLER_TONE, 20);
        agentTone = Tones.wav(AGENT_TONE, 20);
    }

    @Test
    void baresipRegistersWithTheDefaultChallenge() throws Exception {
        try (Baresip phone = Baresip.agent("1001", "alice-1001", SIP_PORT).start()) {
            phone.awaitEvent("REGISTER_OK", SIGNALLING);
        }
    }

    @Test
    void baresipWithAWrongPasswordIsRefused() throws Exception {
        try (Baresip phone = Baresip.agent("1002", "not-bobs", SIP_PORT).start()) {
            phone.awaitEvent("REGISTER_FAIL", SIGNALLING);
        }
    }

    @Test
    void baresipCallerReachesBaresipAgentWithAudioBothWaysAndTheCallerHangsUp() throws Exception {
        try (Baresip agent = Baresip.agent("1001", "alice-1001", SIP_PORT).source(agentTone).rtpPorts(41500, 41749)
                        .start();
                Baresip caller = Baresip.caller().source(callerTone).rtpPorts(41750, 41999).start()) {
            agent.awaitEvent("REGISTER_OK", SIGNALLING);
            caller.dial("sip:400@127.0.0.1:" + SIP_PORT);
            agent.awaitEvent("CALL_INCOMING", SIGNALLING);
            agent.accept();
            agent.awaitEvent("CALL_ESTABLISHED", SIGNALLING);
            caller.awaitEvent("CALL_ESTABLISHED", SIGNALLING);
            awaitHeard(agent, caller);

            caller.hangUp();
            agent.awaitEvent("CALL_CLOSED", SIGNALLING);
            caller.awaitEvent("CALL_CLOSED", SIGNALLING);
            assertHeard(agent, CALLER_TONE, AGENT_TONE);
            assertHeard(caller, AGENT_TONE, CALLER_TONE);
        }
        assertThat(endedRecord("400")).containsEntry("hangup_cause", "REMOTE_HANGUP");
    }

    @Test
    void theCallersMenuChoiceInRfc4733PicksTheAgentAndTheAgentHangsUp() throws Exception {
        try (Baresip alice = Baresip.agent("1001", "alice-1001", SIP_PORT).rtpPorts(41500, 41599).start();
                Baresip bob = Baresip.agent("1002", "bob-1002", SIP_PORT).rtpPorts(41600, 41699).start();
                Baresip caller = Baresip.caller().source(callerTone).rtpPorts(41750, 41999).start()) {
            alice.awaitEvent("REGISTER_OK", SIGNALLING);
            bob.awaitEvent("REGISTER_OK", SIGNALLING);
            caller.dial("sip:401@127.0.0.1:" + SIP_PORT);
            caller.awaitEvent("CALL_ESTABLISHED", SIGNALLING);
            caller.pressKeys("2", Duration.ofMillis(100));

            bob.awaitEvent("CALL_INCOMING", SIGNALLING);
            bob.accept();
            bob.awaitEvent("CALL_ESTABLISHED", SIGNALLING);
            bob.hangUp();
            caller.awaitEvent("CALL_CLOSED", SIGNALLING);
            assertThat(alice.events()).extracting(e -> e.path("type").asText()).doesNotContain("CALL_INCOMING");
        }
        assertThat(endedRecord("401")).containsEntry("outcome", "AgentHungUp");
    }

    @ParameterizedTest(name = "{0} hangs up")
    @ValueSource(strings = {"agent", "caller"})
    void linphoneAgentAnswersABaresipCallerWithAudioBothWays(String hangsUp) throws Exception {
        try (Linphone agent = Linphone.start("1001", "alice-1001", SIP_PORT, agentTone, 41500, 41599);
                Baresip caller = Baresip.caller().source(callerTone).rtpPorts(41750, 41999).start()) {
            agent.awaitRegistered(SIGNALLING);
            caller.dial("sip:400@127.0.0.1:" + SIP_PORT);
            agent.awaitLine("Receiving new incoming call", SIGNALLING);
            agent.answer();
            agent.awaitLine("Media streams established", SIGNALLING);
            caller.awaitEvent("CALL_ESTABLISHED", SIGNALLING);
            awaitHeard(caller);

            if (hangsUp.equals("agent")) {
                agent.terminate();
            } else {
                caller.hangUp();
            }
            caller.awaitEvent("CALL_CLOSED", SIGNALLING);
            agent.awaitLine("Call \\d+ with .* ended", SIGNALLING);
            assertHeard(caller, AGENT_TONE, CALLER_TONE);
            assertHeard(Tones.read(agent.heard()), CALLER_TONE, AGENT_TONE);
        }
        assertThat(endedRecord("400")).containsEntry("outcome", hangsUp.equals("agent") ? "AgentHungUp"
                : "CallerHungUpEnd");
    }

    @ParameterizedTest(name = "DTMF by {0}")
    @ValueSource(strings = {"RFC 4733", "SIP INFO"})
    void linphoneCallersMenuChoiceReachesABaresipAgentWithAudioBothWays(String dtmf) throws Exception {
        try (Linphone caller = Linphone.start("1003", "carol-1003", SIP_PORT, callerTone, 41750, 41999);
                Baresip bob = Baresip.agent("1002", "bob-1002", SIP_PORT).source(agentTone).rtpPorts(41500, 41749)
                        .start()) {
            caller.awaitRegistered(SIGNALLING);
            bob.awaitEvent("REGISTER_OK", SIGNALLING);
            if (dtmf.equals("SIP INFO")) {
                caller.sipInfoDtmf();
            }
            caller.call("sip:401@127.0.0.1:" + SIP_PORT);
            caller.awaitLine("Media streams established", SIGNALLING);
            caller.pressKeys("2", Duration.ofMillis(100));

            bob.awaitEvent("CALL_INCOMING", SIGNALLING);
            bob.accept();
            bob.awaitEvent("CALL_ESTABLISHED", SIGNALLING);
            awaitHeard(bob);
            caller.terminate();
            bob.awaitEvent("CALL_CLOSED", SIGNALLING);
            caller.awaitLine("Call \\d+ with .* ended", SIGNALLING);
            assertHeard(bob, CALLER_TONE, AGENT_TONE);
            assertHeard(Tones.read(caller.heard()), AGENT_TONE, CALLER_TONE);
        }
        assertThat(endedRecord("401")).containsEntry("hangup_cause", "REMOTE_HANGUP");
    }

    /** Waits until both phones have received media for a while (their RTP started). */
    static void awaitHeard(Baresip... phones) {
        for (Baresip phone : phones) {
            phone.awaitEvent("CALL_RTPESTAB", SIGNALLING);
        }
        // A second of tone each way: enough blocks to judge, short enough for a fast test. Polls the phones' dump
        // files, which grow as audio is decoded.
        await().atMost(SIGNALLING).pollInterval(Duration.ofMillis(100)).until(() -> List.of(phones).stream()
                .allMatch(p -> p.heard().toFile().length() > 44 + 2 * 8000));
    }

    static void assertHeard(Baresip phone, double expected, double own) throws Exception {
        assertHeard(Tones.read(phone.heard()), expected, own);
    }

    private static void assertHeard(short[] heard, double expected, double own) {
        // At least half a second of the other side's tone, and never one's own (no echo, no crossed streams).
        assertThat(Tones.blocksWith(heard, expected, own, 2000)).as("blocks of %s Hz heard", expected)
                .isGreaterThanOrEqualTo(25);
        // A phone may record the keys it sends (linphonec does): a DTMF pair leaks into the own tone's filter, so a
        // block where a DTMF frequency is louder is a key, not an echo.
        assertThat(Tones.blocksWith(heard, own, expected, 2000, 697, 770, 852, 941, 1209, 1336, 1477, 1633))
                .as("blocks of its own %s Hz heard", own).isZero();
    }

    /** The newest call record for {@code did} (the test's own call), once it has ended. */
    private Map<String, Object> endedRecord(String did) {
        return await().atMost(SIGNALLING).until(() -> jdbc.queryForList(
                "SELECT * FROM call_record WHERE did = ? ORDER BY started_at DESC FETCH FIRST 1 ROWS ONLY", did),
                rows -> !rows.isEmpty() && rows.get(0).get("ended_at") != null).get(0);
    }
}
