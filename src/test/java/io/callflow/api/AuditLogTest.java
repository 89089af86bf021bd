package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import io.callflow.support.MutableClock;

/**
 * The audit log on H2 and on PostgreSQL, each migrated by Callflow's own Flyway migrations: rows read back newest
 * first with filters and pages, old rows deleted by retention, and a failing insert that neither throws nor blocks.
 */
class AuditLogTest {

    static EmbeddedPostgres postgres;

    final MeterRegistry meters = new SimpleMeterRegistry();
    final MutableClock clock = new MutableClock();

    static Stream<String> databases() {
        return Stream.of("H2", "PostgreSQL");
    }

    @AfterAll
    static void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void rowsAreReadBackNewestFirstFilteredAndPaged(String database) throws Exception {
        JdbcTemplate jdbc = migrated(database);
        AuditLog audit = new AuditLog(jdbc, clock, meters);
        Instant first = clock.instant();
        audit.record("admin", "login", "GET /api/agents", "HTTP Basic", "192.0.2.1");
        clock.advance(Duration.ofMinutes(1));
        audit.record("mallory", "login", "GET /api/agents", "BadCredentialsException", "198.51.100.7",
                AuditLog.DENIED);
        clock.advance(Duration.ofMinutes(1));
        audit.record("admin", "api.POST", "/api/v1/agents/alice/pause", "HTTP 200", "192.0.2.1", AuditLog.SUCCESS);
        audit.close();

        AuditPage all = audit.find(null, null, null, null, 0, 50);
        assertThat(all.total()).isEqualTo(3);
        assertThat(all.entries()).extracting(AuditEntry::action).containsExactly("api.POST", "login", "login");
        assertThat(all.entries().get(1)).satisfies(entry -> {
            assertThat(entry.actor()).isEqualTo("mallory");
            assertThat(entry.at()).isEqualTo(first.plus(Duration.ofMinutes(1)));
            assertThat(entry.sourceAddress()).isEqualTo("198.51.100.7");
            assertThat(entry.outcome()).isEqualTo("denied");
        });
        assertThat(audit.find(null, null, "admin", "login", 0, 50).entries()).singleElement()
                .satisfies(entry -> assertThat(entry.outcome()).isEqualTo("success"));
        assertThat(audit.find(first.plusSeconds(1), null, null, null, 0, 50).total()).isEqualTo(2);
        assertThat(audit.find(null, first.plusSeconds(1), null, null, 0, 50).entries())
                .extracting(AuditEntry::actor).containsExactly("admin");
        AuditPage second = audit.find(null, null, null, null, 1, 2);
        assertThat(second.total()).isEqualTo(3);
        assertThat(second.entries()).extracting(AuditEntry::actor).containsExactly("admin");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void retentionDeletesOnlyOlderRows(String database) throws Exception {
        JdbcTemplate jdbc = migrated(database);
        AuditLog audit = new AuditLog(jdbc, clock, meters);
        audit.record("admin", "api.POST", "/api/v1/agents/alice/pause", "HTTP 200", "192.0.2.1");
        clock.advance(Duration.ofDays(300));
        audit.record("admin", "api.POST", "/api/v1/agents/alice/resume", "HTTP 200", "192.0.2.1");
        audit.close();
        clock.advance(Duration.ofDays(100));

        assertThat(audit.deleteOlderThan(Duration.ofDays(365))).isEqualTo(1);
        assertThat(audit.find(null, null, null, null, 0, 50).entries()).extracting(AuditEntry::target)
                .containsExactly("/api/v1/agents/alice/resume");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aFailingInsertNeitherThrowsNorBlocksAndIsCounted(String database) throws Exception {
        JdbcTemplate jdbc = migrated(database);
        jdbc.execute("drop table audit_log");
        AuditLog audit = new AuditLog(jdbc, clock, meters);
        audit.record("admin", "api.POST", "/api/v1/agents/alice/pause", "HTTP 200", "192.0.2.1");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                meters.get("callflow.audit.lost").tag("reason", "database").counter().count() == 1);
        audit.close();
    }

    private JdbcTemplate migrated(String database) throws IOException {
        DataSource source;
        if (database.equals("H2")) {
            source = new SimpleDriverDataSource(new org.h2.Driver(),
                    "jdbc:h2:mem:audit-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        } else {
            if (postgres == null) {
                postgres = EmbeddedPostgres.start();
            }
            String name = "audit_" + UUID.randomUUID().toString().replace("-", "");
            new JdbcTemplate(postgres.getPostgresDatabase()).execute("create database " + name);
            source = postgres.getDatabase("postgres", name);
        }
        Flyway.configure().dataSource(source).locations("classpath:db/migration").load().migrate();
        return new JdbcTemplate(source);
    }

}
