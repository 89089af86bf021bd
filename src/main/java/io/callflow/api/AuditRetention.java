package io.callflow.api;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes audit rows older than {@code callflow.audit.retention} a minute after start-up and then once a day. */
final class AuditRetention implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "audit-retention");
        thread.setDaemon(true);
        return thread;
    });

    AuditRetention(AuditLog auditLog, Duration retention) {
        if (retention.isZero() || retention.isNegative()) {
            log.info("Audit rows are kept for ever (callflow.audit.retention = {})", retention);
            return;
        }
        timer.scheduleWithFixedDelay(() -> {
            try {
                auditLog.deleteOlderThan(retention);
            } catch (RuntimeException e) {
                log.warn("Old audit rows could not be deleted; trying again tomorrow: {}", e.toString());
            }
        }, TimeUnit.MINUTES.toSeconds(1), TimeUnit.DAYS.toSeconds(1), TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
