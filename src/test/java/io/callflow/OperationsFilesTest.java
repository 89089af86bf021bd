package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.callflow.routing.CallRouter;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The operator's files in {@code ops/} cannot drift from the code: every metric the Grafana dashboard and the alert
 * rules query is exported by a running Callflow after a real call. With Callflow's defaults, tracing costs nothing:
 * Micrometer's no-op tracer, no span exporter, none of the call-tracing hooks.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Metrics and tracing as Callflow's own settings have them, not as Spring Boot's tests would change them.
@AutoConfigureObservability
@ActiveProfiles("test")
class OperationsFilesTest {

    static final Path OPS = Path.of("ops").toAbsolutePath();
    /** Series Prometheus makes itself when it scrapes, not exported by the application. */
    static final Set<String> SYNTHETIC = Set.of("up");
    static final Set<String> PROMQL_WORDS = Set.of("sum", "min", "max", "avg", "count", "rate", "irate", "increase",
            "histogram_quantile", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "bool", "offset", "absent", "label_values", "abs", "clamp_min", "clamp_max", "topk", "bottomk", "time");
    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001 }
            queues:
              - { name: sales, joinWhenEmpty: true, members: [ alice ] }
            dids:
              - { did: "100", flow: inbound-call }
            """;
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", PROVISIONING);
    static final int SIP_PORT = freePort();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 44500, 44999);
    }

    @Autowired TestRestTemplate http;
    @Autowired JdbcTemplate jdbc;
    @Autowired ApplicationContext context;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryIsExported() throws Exception {
        // A caller waits in the queue (nobody is logged in) and hangs up: SIP, media, flow and ACD all did work.
        Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "1000",
                "-mp", Integer.toString(Sipp.freePort())).awaitSuccess(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "select count(*) from call_record where ended_at is not null", Integer.class) == 1);
        // GC pause timings exist once a collection has happened.
        System.gc();
        http.withBasicAuth("admin", "callflow").getForObject("/actuator/health", String.class);
        String scrape = http.withBasicAuth("admin", "callflow").getForObject("/actuator/prometheus", String.class);
        Set<String> exported = scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));

        Set<String> dashboard = metricNames(dashboardExpressions());
        Set<String> alerts = metricNames(alertExpressions());

        // The expressions were read at all: a few names each file is known to use.
        assertThat(dashboard).contains("callflow_calls_active", "callflow_sip_admission_seconds_bucket",
                "jvm_memory_used_bytes");
        assertThat(alerts).contains("callflow_database_available", "callflow_sip_overload_refused_total");
        assertThat(missing(dashboard, exported)).as("metrics the dashboard queries but Callflow does not export")
                .isEmpty();
        assertThat(missing(alerts, exported)).as("metrics the alert rules query but Callflow does not export")
                .isEmpty();
    }

    @Test
    void tracingIsOffByDefaultAndCostsNothing() {
        assertThat(context.getBean(Tracer.class)).isSameAs(Tracer.NOOP);
        assertThat(context.getBeanNamesForType(SpanExporter.class)).as("span exporters").isEmpty();
        assertThat(context.getBean(CallRouter.class).getClass().getPackageName()).isEqualTo("io.callflow.routing");
        assertThat(Arrays.stream(context.getBeanDefinitionNames()).map(context::getType)
                .filter(type -> type != null && type.getPackageName().equals("io.callflow.tracing"))
                .map(Class::getSimpleName)).as("call-tracing beans")
                .containsExactlyInAnyOrder("TracingOffConfiguration", "TracingProperties");
    }

    private static Set<String> missing(Set<String> used, Set<String> exported) {
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        missing.removeAll(SYNTHETIC);
        return missing;
    }

    private static List<String> alertExpressions() throws IOException {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(OPS.resolve("prometheus/alerts.yml").toFile());
        List<String> expressions = new ArrayList<>();
        rules.path("groups").forEach(group -> group.path("rules")
                .forEach(rule -> expressions.add(rule.path("expr").asText())));
        return expressions;
    }

    private static List<String> dashboardExpressions() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(OPS.resolve("grafana/callflow-dashboard.json").toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.findValues("expr").forEach(expr -> expressions.add(expr.asText()));
        dashboard.path("templating").path("list").forEach(variable -> expressions.add(variable.path("definition")
                .asText()));
        return expressions;
    }

    /**
     * The metric names in PromQL expressions (and Grafana's {@code label_values(metric, label)}): what is left once
     * strings, label matchers, ranges, grouping clauses, Grafana variables, functions and keywords are taken out.
     */
    static Set<String> metricNames(List<String> expressions) {
        Pattern identifier = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
        Set<String> names = new TreeSet<>();
        for (String expression : expressions) {
            String bare = expression.replaceAll("label_values\\(([^,]*),[^)]*\\)", "$1")
                    .replaceAll("\"(\\\\.|[^\"\\\\])*\"", " ").replaceAll("\\{[^}]*}", " ")
                    .replaceAll("\\[[^]]*]", " ")
                    .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                    .replaceAll("\\$\\w+", " ");
            Matcher matcher = identifier.matcher(bare);
            while (matcher.find()) {
                if (!PROMQL_WORDS.contains(matcher.group())) {
                    names.add(matcher.group());
                }
            }
        }
        return names;
    }

    private static int freePort() {
        try {
            return Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
