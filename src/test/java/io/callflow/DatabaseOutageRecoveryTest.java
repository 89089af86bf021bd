package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.callflow.platform.DatabaseAvailability;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * PostgreSQL stopped for 30 s with a call queued, whose caller hangs up meanwhile: new calls and registrations get 503
 * with Retry-After at once, the hang-up is applied once the database is back (record closed, queue left), and then a
 * registering agent gets a new call instead of being reserved for the dead one.
 */
@SpringBootTest
@ActiveProfiles({"test", "postgres"})
@DirtiesContext
class DatabaseOutageRecoveryTest {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001 }
            queues:
              - { name: sales, strategy: longest-idle, ringTimeoutSeconds: 5, wrapUpSeconds: 1, maxWaitSeconds: 600,
                  joinWhenEmpty: true, members: [ alice ] }
            dids:
              - { did: "100", flow: inbound-call }
            """;
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", PROVISIONING);
    static final int PG_PORT = freeTcpPort();
    static final Path PG_DATA = CONTENT.root().resolve("pgdata");
    static final int SIP_PORT = freeTcpPort();
    static EmbeddedPostgres postgres = startPostgres();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("spring.datasource.url", () -> "jdbc:postgresql://localhost:" + PG_PORT + "/postgres");
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
        registry.add("spring.datasource.hikari.connection-timeout", () -> "3000");
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
        registry.add("callflow.sip.port", () -> SIP_PORT);
        registry.add("callflow.sip.bind-address", () -> "127.0.0.1");
        registry.add("callflow.sip.trunks[0].name", () -> "local");
        registry.add("callflow.sip.trunks[0].cidrs[0]", () -> "127.0.0.1/32");
        registry.add("callflow.media.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.rtp-port-min", () -> 37000);
        registry.add("callflow.media.rtp-port-max", () -> 37999);
        registry.add("callflow.database.retry-after", () -> "7s");
        registry.add("callflow.calls.sweep-interval", () -> "1s");
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired DatabaseAvailability database;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @AfterAll
    static void stop() throws IOException {
        postgres.close();
    }

    @Test
    void aHangUpDuringAnOutageIsAppliedAfterwardsAndNothingIsStuck() throws Exception {
        // Nobody is logged in: the caller waits in sales, then hangs up about 30 s after the answer.
        Sipp caller = Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "20000",
                "-mp", Integer.toString(Sipp.freePort()));
        String callId = await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForList(
                "select call_id from queue_entry where state = 'WAITING'", String.class), ids -> ids.size() == 1).get(0);

        postgres.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !database.available());
        long before = System.nanoTime();
        Sipp.start("caller-overloaded.xml", Sipp.freePort(), SIP_PORT, "-s", "100").awaitSuccess(Duration.ofSeconds(5));
        Sipp.start("agent-register-unavailable.xml", Sipp.freePort(), SIP_PORT, "-s", "1001")
                .awaitSuccess(Duration.ofSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - before)).as("both refused at once")
                .isLessThan(Duration.ofSeconds(3));
        // The caller hangs up while the database is still away; the BYE is answered all the same.
        caller.awaitSuccess(Duration.ofSeconds(40));
        postgres = startPostgres();
        assertThat(postgres.getPort()).isEqualTo(PG_PORT);

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Map<String, Object> record = jdbc.queryForMap("select * from call_record where call_id = ?", callId);
            assertThat(record.get("ended_at")).as("record closed").isNotNull();
            assertThat(record).containsEntry("outcome", "CallAbandoned").containsEntry("hangup_cause", "REMOTE_HANGUP");
        });
        assertThat(jdbc.queryForObject("select count(*) from queue_entry", Integer.class)).isZero();
        assertThat(jdbc.queryForList("select event from queue_log where call_id = ? order by id", String.class, callId))
                .containsExactly("ENTERQUEUE", "ABANDON");
        assertThat(database.available()).isTrue();

        // A phone that registers now is offered the next call, and nothing else.
        int alicePort = Sipp.freePort();
        Sipp.start("agent-register.xml", alicePort, SIP_PORT, "-s", "1001", "-au", "1001", "-ap", "alice-1001")
                .awaitSuccess(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> "AVAILABLE".equals(jdbc.queryForObject(
                "select state from agent where id = 'alice'", String.class)));
        Sipp agent = Sipp.start("agent-answer.xml", alicePort, SIP_PORT, "-s", "1001", "-rtp_echo",
                "-mp", Integer.toString(Sipp.freePort()));
        Sipp.start("caller-menu-1.xml", Sipp.freePort(), SIP_PORT, "-s", "100", "-d", "2000",
                "-mp", Integer.toString(Sipp.freePort())).awaitSuccess(Duration.ofSeconds(60));
        agent.awaitSuccess(Duration.ofSeconds(30));
        List<String> outcomes = jdbc.queryForList("select outcome from call_record where call_id <> ?", String.class,
                callId);
        assertThat(outcomes).containsExactly("CallCompletedByCaller");
    }

    private static EmbeddedPostgres startPostgres() {
        try {
            Files.createDirectories(PG_DATA);
            return EmbeddedPostgres.builder().setPort(PG_PORT).setDataDirectory(PG_DATA).setCleanDataDirectory(false)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL for the test", e);
        }
    }

    private static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
