package io.callflow.sip;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a new call is admitted or shed: when INVITEs wait longer than the configured delay for their call's
 * lane, the node is behind, and taking more calls would only make every call slower (measured: at twice the
 * sustainable rate, set-up grew to seconds for all calls). Logs each overload episode once when it starts and once
 * when it ends, with the number of calls refused, rather than a line per call. With hysteresis: an episode ends only
 * after no call was refused for {@link #EPISODE_END_AFTER}, since under overload late and timely INVITEs alternate
 * (measured before: 95 start and 95 end lines in 13 s for one overload).
 */
final class AdmissionControl {

    /** How long no call must have been refused before an overload episode is over. */
    static final Duration EPISODE_END_AFTER = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(AdmissionControl.class);

    private final long maxDelayNanos;
    private final SipProperties.Overload settings;
    private final Counter refused;
    private final LongSupplier nanoTime;
    /** Guarded by this: whether an episode is on, when its last refusal was, how many it refused. */
    private boolean overloaded;
    private long lastRefusalNanos;
    private long refusedInEpisode;

    AdmissionControl(SipProperties.Overload settings, MeterRegistry meters) {
        this(settings, meters, System::nanoTime);
    }

    AdmissionControl(SipProperties.Overload settings, MeterRegistry meters, LongSupplier nanoTime) {
        this.settings = settings;
        this.maxDelayNanos = settings.maxAdmissionDelay().toNanos();
        this.nanoTime = nanoTime;
        this.refused = Counter.builder("callflow.sip.overload.refused")
                .description("New calls refused with 503 because the node was behind (overload shedding)")
                .register(meters);
    }

    /** Returns whether a call whose INVITE waited {@code waitedNanos} for its lane may be admitted. */
    boolean admit(long waitedNanos) {
        long now = nanoTime.getAsLong();
        if (maxDelayNanos <= 0 || waitedNanos <= maxDelayNanos) {
            endEpisodeIfQuiet(now);
            return true;
        }
        refused.increment();
        boolean started;
        synchronized (this) {
            started = !overloaded;
            overloaded = true;
            lastRefusalNanos = now;
            refusedInEpisode++;
        }
        if (started) {
            log.warn("Overloaded: an INVITE waited {} ms for its call lane (limit {} ms); new calls get 503 with"
                    + " Retry-After {} s until INVITEs are handled in time again. Check CPU and database load, or"
                    + " add a node", TimeUnit.NANOSECONDS.toMillis(waitedNanos),
                    settings.maxAdmissionDelay().toMillis(), settings.retryAfterSeconds());
        }
        return false;
    }

    private void endEpisodeIfQuiet(long now) {
        long count;
        synchronized (this) {
            if (!overloaded || now - lastRefusalNanos < EPISODE_END_AFTER.toNanos()) {
                return;
            }
            overloaded = false;
            count = refusedInEpisode;
            refusedInEpisode = 0;
        }
        log.info("Overload over: {} new call(s) were refused with 503", count);
    }

    int retryAfterSeconds() {
        return settings.retryAfterSeconds();
    }
}
