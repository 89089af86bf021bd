package io.callflow.events;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes DELIVERED and FAILED deliveries finished longer than {@code callflow.webhooks.retention} ago, and fan-out
 * markers the floor has passed, a minute after start-up and then every hour.
 */
final class WebhookRetention implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookRetention.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "webhook-retention");
        thread.setDaemon(true);
        return thread;
    });
    private final WebhookDeliveries deliveries;
    private final WebhookFanout fanout;
    private final Duration retention;
    private final Clock clock;

    WebhookRetention(WebhookDeliveries deliveries, WebhookFanout fanout, Duration retention, Clock clock) {
        this.deliveries = deliveries;
        this.fanout = fanout;
        this.retention = retention;
        this.clock = clock;
        timer.scheduleWithFixedDelay(this::run, TimeUnit.MINUTES.toSeconds(1), TimeUnit.HOURS.toSeconds(1),
                TimeUnit.SECONDS);
    }

    /** One clean-up; public to the package so a test need not wait for the timer. */
    void run() {
        try {
            fanout.deleteMarkersBelowFloor();
            if (!retention.isZero() && !retention.isNegative()) {
                deliveries.deleteFinishedBefore(clock.instant().minus(retention));
            }
        } catch (RuntimeException e) {
            log.warn("Old webhook deliveries could not be deleted; trying again in an hour: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
