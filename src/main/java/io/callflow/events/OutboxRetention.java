package io.callflow.events;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Deletes outbox rows older than {@code callflow.events.retention} (default 7 days; {@code 0s} keeps them for ever) a
 * minute after start-up and then once a day. Live subscribers and webhooks read rows within seconds; the rows stay a
 * while so a webhook receiver that was down can catch up.
 */
@Component
class OutboxRetention implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboxRetention.class);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "outbox-retention");
        thread.setDaemon(true);
        return thread;
    });

    OutboxRetention(JdbcTemplate jdbc, Clock clock, @Value("${callflow.events.retention:7d}") Duration retention) {
        this.jdbc = jdbc;
        this.clock = clock;
        if (retention.isZero() || retention.isNegative()) {
            log.info("Outbox rows are kept for ever (callflow.events.retention = {})", retention);
            return;
        }
        timer.scheduleWithFixedDelay(() -> {
            try {
                deleteOlderThan(retention);
            } catch (RuntimeException e) {
                log.warn("Old outbox rows could not be deleted; trying again tomorrow: {}", e.toString());
            }
        }, TimeUnit.MINUTES.toSeconds(1), TimeUnit.DAYS.toSeconds(1), TimeUnit.SECONDS);
    }

    /** Deletes the rows that occurred more than {@code retention} ago; returns how many. */
    int deleteOlderThan(Duration retention) {
        int deleted = jdbc.update("delete from event_outbox where occurred_at < ?",
                Timestamp.from(clock.instant().minus(retention)));
        if (deleted > 0) {
            log.info("Deleted {} outbox row(s) older than {}", deleted, retention);
        }
        return deleted;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
