package io.callflow.flow;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.callflow.acd.RecordingPolicies;
import io.callflow.acd.RecordingPolicy;
import io.callflow.media.RecordingFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Deletes recordings older than their queue's {@code retentionDays}: the file goes, the {@code call_recording} row is
 * marked {@code deleted_at} and the call's timeline gets a {@code RECORDING_DELETED} action. Runs a minute after
 * start-up and then every {@code callflow.recordings.retention-interval}; what it has not done yet it finds again
 * after a restart (the rows are the truth). Several nodes on one database take turns through a lease row
 * ({@code job_lease}), so one node at a time deletes.
 */
@Component
public class RecordingRetention implements AutoCloseable {

    static final String LEASE = "recording-retention";

    private static final Logger log = LoggerFactory.getLogger(RecordingRetention.class);

    private final JdbcTemplate jdbc;
    private final RecordingPolicies policies;
    private final RecordingFiles files;
    private final Clock clock;
    private final String node;
    private final Duration interval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "recording-retention");
        thread.setDaemon(true);
        return thread;
    });

    RecordingRetention(JdbcTemplate jdbc, RecordingPolicies policies, RecordingFiles files, Clock clock,
            @Value("${callflow.node-id:local}") String node,
            @Value("${callflow.recordings.retention-interval:1h}") Duration interval) {
        this.jdbc = jdbc;
        this.policies = policies;
        this.files = files;
        this.clock = clock;
        this.node = node;
        this.interval = interval;
        long delay = Math.min(60, Math.max(1, interval.toSeconds()));
        timer.scheduleWithFixedDelay(this::runQuietly, delay, Math.max(1, interval.toSeconds()), TimeUnit.SECONDS);
    }

    private void runQuietly() {
        try {
            deleteExpired();
        } catch (RuntimeException e) {
            log.warn("Expired recordings could not be deleted; trying again in {}: {}", interval, e.toString());
        }
    }

    /** Deletes the expired recordings if this node holds the lease; returns how many it deleted. */
    public synchronized int deleteExpired() {
        Instant now = clock.instant();
        // The lease outlives a run, so a node that just ran keeps it and another does not repeat the work at once.
        int taken = jdbc.update("update job_lease set holder = ?, lease_until = ? where name = ?"
                + " and (lease_until is null or lease_until < ? or holder = ?)", node,
                Timestamp.from(now.plus(interval.dividedBy(2))), LEASE, Timestamp.from(now), node);
        if (taken == 0) {
            log.debug("Recording retention runs on another node now");
            return 0;
        }
        int deleted = 0;
        for (RecordingPolicy policy : policies.withRetention()) {
            Instant before = now.minus(Duration.ofDays(policy.retentionDays()));
            List<String> expired = jdbc.queryForList("select call_id from call_recording where queue_name = ?"
                    + " and started_at < ? and deleted_at is null", String.class, policy.queue(),
                    Timestamp.from(before));
            for (String callId : expired) {
                boolean hadFile = files.delete(callId);
                jdbc.update("update call_recording set deleted_at = ? where call_id = ?", Timestamp.from(now), callId);
                jdbc.update("insert into call_action (call_id, at, actor, action, detail) values (?,?,?,?,?)", callId,
                        Timestamp.from(now), "retention", "RECORDING_DELETED", "queue " + policy.queue() + " keeps "
                                + policy.retentionDays() + " day(s)" + (hadFile ? "" : "; the file was gone already"));
                deleted++;
            }
        }
        if (deleted > 0) {
            log.info("Deleted {} expired recording(s)", deleted);
        }
        return deleted;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
