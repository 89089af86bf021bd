package io.callflow.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With tracing switched on, a real call over SIP (SIPp caller on a trunk, SIPp agent answering) through the shipped
 * inbound flow leaves one trace behind, exported as an operator's collector would receive it: the INVITE, the flow's
 * activities, the routing rules' decision and the ACD's enqueue, reservation and offer, all under one root with the
 * call's id, DID, queue, agent and outcome.
 */
@SpringBootTest(properties = {"management.tracing.enabled=true",
        "management.tracing.opentelemetry.export.schedule-delay=100ms"})
// Spring Boot's tests switch tracing off unless asked not to.
@AutoConfigureObservability(metrics = false)
@ActiveProfiles("test")
class CallTracingTest {

    static final AttributeKey<String> CALL_ID = AttributeKey.stringKey("callflow.call.id");
    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
            queues:
              - { name: sales, ringTimeoutSeconds: 3, wrapUpSeconds: 1, joinWhenEmpty: true, members: [ alice ] }
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
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 44000, 44499);
    }

    /** The exporter an operator's collector stands for: every finished span, as OTLP would send it. */
    @TestConfiguration
    static class InMemoryExport {
        @Bean
        InMemorySpanExporter inMemorySpanExporter() {
            return InMemorySpanExporter.create();
        }
    }

    @Autowired InMemorySpanExporter exported;
    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @Test
    void aCallFromInviteToHangUpIsOneTraceWithTheFlowTheRulesAndTheAcdInIt() throws Exception {
        int alicePort = Sipp.freePort();
        Sipp.start("agent-register.xml", alicePort, SIP_PORT, "-s", "1001", "-au", "1001", "-ap", "alice-1001")
                .awaitSuccess(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> agents.find("alice").orElseThrow().state()
                == AgentState.AVAILABLE);
        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        Sipp caller = Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "1000",
                "-mp", Integer.toString(Sipp.freePort()));
        caller.awaitSuccess(Duration.ofSeconds(60));
        agent.awaitSuccess(Duration.ofSeconds(30));
        String callId = await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForList(
                "select call_id from call_record where ended_at is not null", String.class), ids -> ids.size() == 1)
                .get(0);

        // The root is exported when it ends: once the caller is gone and the flow has finished.
        SpanData root = await().atMost(Duration.ofSeconds(20))
                .until(() -> span(exported.getFinishedSpanItems(), "call", callId), Optional::isPresent).orElseThrow();
        List<SpanData> trace = exported.getFinishedSpanItems().stream()
                .filter(span -> span.getTraceId().equals(root.getTraceId())).toList();

        assertThat(root.getParentSpanContext().isValid()).as("the call span is the trace's root").isFalse();
        assertThat(root.getAttributes().asMap()).extractingFromEntries(e -> e.getKey().getKey(), e -> e.getValue())
                .contains(org.assertj.core.groups.Tuple.tuple("callflow.did", "100"),
                        org.assertj.core.groups.Tuple.tuple("callflow.queue", "sales"),
                        org.assertj.core.groups.Tuple.tuple("callflow.agent", "alice"),
                        org.assertj.core.groups.Tuple.tuple("callflow.outcome", "CallCompletedByCaller"));
        assertThat(trace).as("every span of the trace carries the call id")
                .allSatisfy(span -> assertThat(span.getAttributes().get(CALL_ID)).isEqualTo(callId));
        assertThat(exported.getFinishedSpanItems().stream().filter(span -> callId.equals(span.getAttributes()
                .get(CALL_ID)))).as("the call's spans are all in its one trace")
                .allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(root.getTraceId()));
        assertThat(trace).extracting(SpanData::getName).contains("sip.invite", "flow inbound-call", "flow.MainMenu",
                "flow.RouteByRules", "routing.decide", "flow.EnqueueCall", "acd.enqueue", "acd.reservation",
                "flow.OfferToAgent", "acd.offer", "flow.BridgeCall");
        assertThat(span(trace, "acd.reservation", callId).orElseThrow().getAttributes()
                .get(AttributeKey.stringKey("callflow.agent"))).isEqualTo("alice");

        Map<String, SpanData> byId = trace.stream().collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
        SpanData decision = span(trace, "routing.decide", callId).orElseThrow();
        assertThat(byId.get(decision.getParentSpanId()).getName()).as("the rules run inside the routing task")
                .isEqualTo("flow.RouteByRules");
        assertThat(decision.getAttributes().get(AttributeKey.stringKey("callflow.queue"))).isEqualTo("sales");
        assertThat(span(trace, "acd.offer", callId).orElseThrow().getAttributes()
                .get(AttributeKey.stringKey("callflow.outcome"))).isEqualTo("answered");
        assertThat(span(trace, "sip.invite", callId).orElseThrow().getAttributes()
                .get(AttributeKey.stringKey("callflow.outcome"))).isEqualTo("answered");
    }

    private static Optional<SpanData> span(List<SpanData> spans, String name, String callId) {
        return spans.stream().filter(span -> span.getName().equals(name)
                && callId.equals(span.getAttributes().get(CALL_ID))).findFirst();
    }

    private static int freePort() {
        try {
            return Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
