package io.callflow.platform;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.stereotype.Component;

/**
 * Whether the database can be reached now, known without waiting: a probe checks a connection of its own every second
 * (not one from the pool, so a pool busy under load is never taken for an outage), a probe that hangs longer than the
 * probe timeout counts as an outage at once, and a module that meets a connection failure has the probe run at once.
 * New calls and registrations are refused with 503 while the database is away, instead of each waiting out the pool's
 * connection timeout and failing with 500. Reported in health as {@code databaseAvailability}.
 */
@Component
public class DatabaseAvailability implements HealthIndicator, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseAvailability.class);

    private final DataSourceProperties dataSource;
    /** The probe's own connection, used only on the probe thread. */
    private Connection connection;
    private final DatabaseSettings settings;
    private final Clock clock;
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "db-probe");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean down;
    private volatile Instant downSince;
    private volatile String reason;
    /** When the probe under way started (System.nanoTime), or 0 when none runs. */
    private volatile long probeStarted;
    private volatile int outages;
    private final OutageLogFilter logFilter = new OutageLogFilter(() -> down);

    public DatabaseAvailability(DataSourceProperties dataSource, DatabaseSettings settings, Clock clock,
            MeterRegistry meters) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.clock = clock;
        Gauge.builder("callflow.database.available", this, a -> a.available() ? 1 : 0)
                .description("1 while the database answers, 0 during an outage").register(meters);
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
            logFilter.setContext(logback);
            logFilter.start();
            logback.addTurboFilter(logFilter);
        }
        long every = settings.probeInterval().toMillis();
        prober.scheduleWithFixedDelay(this::probe, every, every, TimeUnit.MILLISECONDS);
    }

    /** Whether the database is believed reachable now; false from the first sign of an outage until a probe succeeds. */
    public boolean available() {
        long started = probeStarted;
        if (!down && started != 0 && System.nanoTime() - started > settings.probeTimeout().toNanos()) {
            markDown("no connection within " + settings.probeTimeout().toMillis() + " ms");
        }
        return !down;
    }

    /** How long a refused caller or phone should wait before trying again (RFC 3261 section 20.33). */
    public Duration retryAfter() {
        return settings.retryAfter();
    }

    /**
     * Returns whether {@code failure} is a connection failure (worth retrying later), and if so has the probe check
     * the database at once: a dead server is then known within milliseconds, a pool that was merely busy is not.
     */
    public boolean reportIfOutage(Throwable failure) {
        if (!DatabaseOutage.isOutage(failure)) {
            return false;
        }
        try {
            prober.execute(this::probe);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the node is stopping
        }
        return true;
    }

    private void probe() {
        probeStarted = System.nanoTime();
        int seconds = (int) Math.max(1, settings.probeTimeout().toSeconds());
        try {
            if (connection == null || !connection.isValid(seconds)) {
                closeConnection();
                connection = connect(seconds);
            }
            markUp();
        } catch (Exception e) {
            closeConnection();
            markDown(rootMessage(e));
        } finally {
            probeStarted = 0;
        }
    }

    private Connection connect(int timeoutSeconds) throws java.sql.SQLException {
        String url = dataSource.determineUrl();
        Properties properties = new Properties();
        if (dataSource.determineUsername() != null) {
            properties.setProperty("user", dataSource.determineUsername());
        }
        if (dataSource.determinePassword() != null) {
            properties.setProperty("password", dataSource.determinePassword());
        }
        if (url.startsWith("jdbc:postgresql:")) {
            // pgjdbc's own limits, so a server that does not answer (not only one that refuses) fails the probe.
            properties.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
            properties.setProperty("socketTimeout", Integer.toString(timeoutSeconds * 2));
        }
        Connection opened = DriverManager.getConnection(url, properties);
        if (opened == null) {
            throw new java.sql.SQLNonTransientConnectionException("no driver for " + url);
        }
        return opened;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (Exception ignored) {
                // it is being replaced because it failed
            }
            connection = null;
        }
    }

    private synchronized void markDown(String why) {
        reason = why;
        if (!down) {
            down = true;
            downSince = clock.instant();
            outages++;
            // Logged once per outage, with what an operator needs: callers get 503 until the database is back.
            log.warn("Database unavailable ({}); new calls and registrations get 503 with Retry-After {} s, call "
                    + "events wait and are retried until it is back", why, settings.retryAfter().toSeconds());
        }
    }

    private synchronized void markUp() {
        if (down) {
            down = false;
            log.info("Database available again after {} s ({} library log lines about the outage suppressed)",
                    Duration.between(downSince, clock.instant()).toSeconds(), logFilter.takeSuppressed());
            reason = null;
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        for (int i = 0; i < 32 && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    @Override
    public Health health() {
        if (available()) {
            return Health.up().withDetail("outagesSinceStart", outages).build();
        }
        return Health.down().withDetail("reason", String.valueOf(reason)).withDetail("since", String.valueOf(downSince))
                .withDetail("effect", "new calls and registrations get 503; call events are retried")
                .withDetail("outagesSinceStart", outages).build();
    }

    @Override
    public void close() {
        prober.shutdownNow();
        try {
            prober.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
            logback.getTurboFilterList().remove(logFilter);
        }
    }
}
