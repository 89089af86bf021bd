package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code kill -9} of a Callflow JVM with calls in the menu, queued, ringing and talking, and an agent-to-agent call,
 * then a restart on the same PostgreSQL: within seconds no agent is reserved, ringing or on a call, no call waits in a queue, no flow waits, every
 * record is closed as NODE_LOST, and a new call connects to each agent through the registrations that survived.
 */
class CrashRecoveryTest {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001 }
              - { id: bob, sipUser: "1002", password: bob-1002 }
              - { id: carol, sipUser: "1003", password: carol-1003 }
              - { id: dave, sipUser: "1004", password: dave-1004 }
            queues:
              - { name: sales, strategy: longest-idle, ringTimeoutSeconds: 60, wrapUpSeconds: 1, maxWaitSeconds: 600,
                  joinWhenEmpty: true, members: [ alice, bob ] }
            dids:
              - { did: "100", flow: inbound-call }
            dialPlan:
              extensions:
                - { number: "204", agent: dave }
            """;

    static EmbeddedPostgres postgres;
    static JdbcTemplate jdbc;
    final List<Sipp> phones = new ArrayList<>();
    Process callflow;

    @BeforeAll
    static void database() throws IOException {
        Sipp.requireSipp();
        postgres = EmbeddedPostgres.builder().start();
        jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void stop() {
        phones.forEach(Sipp::kill);
        if (callflow != null) {
            callflow.destroyForcibly();
        }
    }

    @Test
    void afterKillNineAndRestartNothingIsStuckAndNewCallsConnect() throws Exception {
        TestContent content = TestContent.create()
                .with("rules/business-hours.drl", "package io.callflow.rules\n")
                .with("provisioning.yml", PROVISIONING);
        int sipPort = Sipp.freePort();
        int httpPort = Sipp.freeTcpPort();
        callflow = start(content, sipPort, httpPort, "first");

        int alicePort = Sipp.freePort();
        int bobPort = Sipp.freePort();
        register(sipPort, "1001", "alice-1001", alicePort);
        register(sipPort, "1002", "bob-1002", bobPort);
        await().atMost(Duration.ofSeconds(15)).until(() -> state("bob").equals("AVAILABLE")
                && state("alice").equals("AVAILABLE"));
        // alice has been idle longest, so the first call is hers; bob's phone then rings for the second.
        jdbc.update("update agent set state_since = ? where id = 'alice'", Timestamp.from(Instant.now().minusSeconds(600)));

        phones.add(Sipp.start("agent-answer.xml", alicePort, sipPort, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort())));
        phones.add(caller(sipPort, "caller-menu-1.xml"));
        await().atMost(Duration.ofSeconds(30)).until(() -> state("alice").equals("ON_CALL"));
        phones.add(Sipp.start("agent-no-answer.xml", bobPort, sipPort, "-s", "1002"));
        phones.add(caller(sipPort, "caller-menu-1.xml"));
        await().atMost(Duration.ofSeconds(30)).until(() -> state("bob").equals("RINGING"));
        phones.add(caller(sipPort, "caller-menu-1.xml"));
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from queue_entry"
                + " where state = 'WAITING'") == 1);
        phones.add(caller(sipPort, "caller-hangup.xml"));
        await().atMost(Duration.ofSeconds(20)).until(() -> count("select count(*) from call_record"
                + " where ended_at is null") == 4);
        // An agent-to-agent call: carol's phone dials dave's extension; dave is held under the call's side key.
        int carolPort = Sipp.freePort();
        int davePort = Sipp.freePort();
        // Carol's phone is on 127.0.0.2: 127.0.0.1 is the trunk here, and an INVITE from a trunk is a caller's.
        Sipp.start("agent-register.xml", carolPort, sipPort, "-s", "1003", "-au", "1003", "-ap", "carol-1003",
                "-i", "127.0.0.2").awaitSuccess(Duration.ofSeconds(20));
        register(sipPort, "1004", "dave-1004", davePort);
        phones.add(Sipp.start("agent-answer.xml", davePort, sipPort, "-s", "1004", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort())));
        phones.add(Sipp.start("agent-dials-hung-up.xml", carolPort, sipPort, "-s", "204", "-set", "user", "1003",
                "-au", "1003", "-ap", "carol-1003", "-auth_uri", "204@127.0.0.1:" + sipPort, "-i", "127.0.0.2",
                "-mp", Integer.toString(Sipp.freePort())));
        await().atMost(Duration.ofSeconds(30)).until(() -> state("carol").equals("ON_CALL")
                && state("dave").equals("ON_CALL"));

        callflow.destroyForcibly().waitFor();
        phones.forEach(Sipp::kill);
        phones.clear();
        assertThat(count("select count(*) from agent where state in ('RESERVED', 'RINGING', 'ON_CALL')"))
                .as("the dead node left agents busy").isEqualTo(4);

        callflow = start(content, sipPort, httpPort, "second");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(count("select count(*) from agent where state in ('RESERVED', 'RINGING', 'ON_CALL')"
                    + " or current_call is not null")).as("agents held by dead calls").isZero();
            assertThat(count("select count(*) from queue_entry")).as("queue entries").isZero();
            assertThat(count("select count(*) from act_ru_execution")).as("flows still running").isZero();
            assertThat(count("select count(*) from call_record where ended_at is null")).as("open records").isZero();
        });
        assertThat(jdbc.queryForList("select outcome from call_record", String.class)).hasSize(5)
                .containsOnly("NODE_LOST");
        assertThat(count("select count(*) from queue_log where event = 'CALL_LOST'")).isEqualTo(2);
        assertThat(count("select count(*) from act_ru_job")).as("timers of the dead calls").isZero();

        // The registrations stayed: the phones come back on the same ports without registering again.
        phones.add(Sipp.start("agent-answer.xml", alicePort, sipPort, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort())));
        phones.add(Sipp.start("agent-answer.xml", bobPort, sipPort, "-s", "1002", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort())));
        await().atMost(Duration.ofSeconds(15)).until(() -> state("alice").equals("AVAILABLE")
                && state("bob").equals("AVAILABLE"));
        Sipp first = Sipp.start("caller-menu-1.xml", Sipp.freePort(), sipPort, "-s", "100", "-d", "3000",
                "-mp", Integer.toString(Sipp.freePort()));
        Sipp second = Sipp.start("caller-menu-1.xml", Sipp.freePort(), sipPort, "-s", "100", "-d", "3000",
                "-mp", Integer.toString(Sipp.freePort()));
        first.awaitSuccess(Duration.ofSeconds(60));
        second.awaitSuccess(Duration.ofSeconds(60));
        assertThat(jdbc.queryForList("select agent_id from queue_log where event = 'CONNECT' and event_time > ?",
                String.class, Timestamp.from(Instant.now().minusSeconds(60)))).contains("alice", "bob");
    }

    private Sipp caller(int sipPort, String scenario) throws IOException {
        return Sipp.start(scenario, Sipp.freePort(), sipPort, "-s", "100", "-d", "120000",
                "-mp", Integer.toString(Sipp.freePort()));
    }

    private static void register(int sipPort, String user, String password, int port) throws Exception {
        Sipp.start("agent-register.xml", port, sipPort, "-s", user, "-au", user, "-ap", password)
                .awaitSuccess(Duration.ofSeconds(20));
    }

    private static String state(String agent) {
        return jdbc.queryForObject("select state from agent where id = ?", String.class, agent);
    }

    private static int count(String sql) {
        return jdbc.queryForObject(sql, Integer.class);
    }

    /**
     * Callflow in a JVM of its own, so it can be killed like a crashed server; waits until it answers HTTP (on a busy
     * 2-core machine creating the engine's schema on PostgreSQL alone can take a minute).
     */
    private static Process start(TestContent content, int sipPort, int httpPort, String run) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CallflowApplication.class.getName(),
                "--spring.profiles.active=postgres",
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres", "--spring.datasource.password=",
                "--server.port=" + httpPort,
                "--callflow.acd.provisioning-file=" + content.root().resolve("provisioning.yml"),
                "--callflow.sip.port=" + sipPort, "--callflow.sip.bind-address=127.0.0.1",
                "--callflow.sip.trunks[0].name=local", "--callflow.sip.trunks[0].cidrs[0]=127.0.0.1/32",
                "--callflow.media.bind-address=127.0.0.1", "--callflow.media.rtp-port-min=36000",
                "--callflow.media.rtp-port-max=36999", "--callflow.calls.sweep-interval=2s"));
        command.addAll(List.of(content.propertyArgs()));
        Path log = Files.createTempFile("callflow-" + run, ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        AtomicReference<String> lastHealth = new AtomicReference<>("none");
        try {
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("Callflow (" + run + " run) exited:\n" + Files.readString(log));
                }
                try {
                    // A bounded request: a port that accepts but never answers must not hang the wait itself.
                    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + httpPort + "/actuator/health")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    lastHealth.set(health.statusCode() + " " + health.body());
                    return health.statusCode() == 200;
                } catch (IOException notYet) {
                    lastHealth.set(notYet.toString());
                    return false;
                }
            });
        } catch (RuntimeException | AssertionError e) {
            process.destroyForcibly();
            List<String> lines = Files.readAllLines(log);
            throw new AssertionError("Callflow (" + run + " run) not healthy; last health answer: " + lastHealth.get()
                    + "\nlast lines of its log:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())), e);
        }
        return process;
    }
}
