package io.callflow.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import io.callflow.acd.RecordingPolicies;
import io.callflow.acd.RecordingPolicy;
import io.callflow.media.RecordingFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The retention job on a real PostgreSQL shared by two "nodes": expired recordings are deleted once, recent ones
 * stay, and the lease lets one node at a time run, also when both start at the same moment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordingRetentionPostgresTest {

    static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    EmbeddedPostgres postgres;
    JdbcTemplate jdbc;
    final RecordingPolicies policies = mock(RecordingPolicies.class);

    @BeforeAll
    void database() throws Exception {
        postgres = EmbeddedPostgres.start();
        Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load()
                .migrate();
        jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
        jdbc.update("insert into call_queue (name, recording_retention_days) values ('payments', 1)");
        when(policies.withRetention()).thenReturn(List.of(new RecordingPolicy("payments",
                RecordingPolicy.Mode.ALWAYS, false, 1)));
    }

    @AfterAll
    void stop() throws Exception {
        postgres.close();
    }

    @Test
    void expiredRecordingsAreDeletedOnceByOneNodeAtATime() throws Exception {
        RecordingFiles files = mock(RecordingFiles.class);
        when(files.delete(anyString())).thenReturn(true);
        jdbc.update("update job_lease set holder = null, lease_until = null");
        recording("old-1", NOW.minus(Duration.ofDays(3)));
        recording("fresh-1", NOW.minus(Duration.ofHours(2)));
        try (RecordingRetention a = retention(files, "node-a", NOW);
                RecordingRetention b = retention(files, "node-b", NOW)) {
            assertThat(a.deleteExpired()).isEqualTo(1);
            assertThat(b.deleteExpired()).as("node-a holds the lease").isZero();
            recording("old-2", NOW.minus(Duration.ofDays(2)));
            assertThat(a.deleteExpired()).as("the holder runs again").isEqualTo(1);
        }
        verify(files).delete("old-1");
        verify(files).delete("old-2");
        verify(files, times(0)).delete("fresh-1");
        assertThat(jdbc.queryForList("select call_id from call_recording where deleted_at is not null"
                + " and call_id not like 'race-%' order by call_id",
                String.class)).containsExactly("old-1", "old-2");
        assertThat(jdbc.queryForObject("select count(*) from call_action where action = 'RECORDING_DELETED'"
                + " and call_id like 'old-%'", Integer.class)).isEqualTo(2);

        // Half an interval later the lease has lapsed: the other node takes it over.
        recording("old-3", NOW.minus(Duration.ofDays(2)));
        try (RecordingRetention later = retention(files, "node-b", NOW.plus(Duration.ofMinutes(31)))) {
            assertThat(later.deleteExpired()).isEqualTo(1);
        }
        assertThat(jdbc.queryForObject("select holder from job_lease where name = ?", String.class,
                RecordingRetention.LEASE)).isEqualTo("node-b");
    }

    @Test
    void twoNodesStartingTogetherDeleteEachRecordingOnce() throws Exception {
        RecordingFiles files = mock(RecordingFiles.class);
        when(files.delete(anyString())).thenReturn(true);
        for (int round = 0; round < 10; round++) {
            jdbc.update("update job_lease set holder = null, lease_until = null");
            for (int i = 0; i < 5; i++) {
                recording("race-" + round + "-" + i, NOW.minus(Duration.ofDays(5)));
            }
            try (RecordingRetention a = retention(files, "node-a", NOW);
                    RecordingRetention b = retention(files, "node-b", NOW)) {
                CountDownLatch go = new CountDownLatch(1);
                List<CompletableFuture<Integer>> runs = new ArrayList<>();
                for (RecordingRetention node : List.of(a, b)) {
                    runs.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return node.deleteExpired();
                    }));
                }
                go.countDown();
                List<Integer> deleted = runs.stream().map(CompletableFuture::join).toList();
                assertThat(deleted).as("round %d", round).containsExactlyInAnyOrder(5, 0);
            }
        }
        assertThat(jdbc.queryForObject("select count(*) from call_action where action = 'RECORDING_DELETED'"
                + " and call_id like 'race-%'", Integer.class)).isEqualTo(50);
    }

    private void recording(String callId, Instant startedAt) {
        jdbc.update("insert into call_recording (call_id, queue_name, started_at, started_by) values (?,?,?,?)",
                callId, "payments", Timestamp.from(startedAt), "flow");
    }

    private RecordingRetention retention(RecordingFiles files, String node, Instant now) {
        return new RecordingRetention(jdbc, policies, files, Clock.fixed(now, ZoneOffset.UTC), node,
                Duration.ofHours(1));
    }
}
