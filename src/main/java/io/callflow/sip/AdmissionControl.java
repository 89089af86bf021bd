package io.callflow.sip;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a new call is admitted or shed: when INVITEs wait longer than the configured delay for their call's
 * lane, the node is behind, and taking more calls would only make every call slower (measured: at twice the
 * sustainable rate, set-up grew to seconds for all calls). Logs each overload episode once when it starts and once
 * when it ends, with the number of calls refused, rather than a line per call.
 */
final class AdmissionControl {

    private static final Logger log = LoggerFactory.getLogger(AdmissionControl.class);

    private final long maxDelayNanos;
    private final SipProperties.Overload settings;
    private final Counter refused;
    private final AtomicBoolean overloaded = new AtomicBoolean();
    private final AtomicLong refusedInEpisode = new AtomicLong();

    AdmissionControl(SipProperties.Overload settings, MeterRegistry meters) {
        this.settings = settings;
        this.maxDelayNanos = settings.maxAdmissionDelay().toNanos();
        this.refused = Counter.builder("callflow.sip.overload.refused")
                .description("New calls refused with 503 because the node was behind (overload shedding)")
                .register(meters);
    }

    /** Returns whether a call whose INVITE waited {@code waitedNanos} for its lane may be admitted. */
    boolean admit(long waitedNanos) {
        if (maxDelayNanos <= 0 || waitedNanos <= maxDelayNanos) {
            if (overloaded.compareAndSet(true, false)) {
                log.info("Overload over: {} new call(s) were refused with 503", refusedInEpisode.getAndSet(0));
            }
            return true;
        }
        refused.increment();
        refusedInEpisode.incrementAndGet();
        if (overloaded.compareAndSet(false, true)) {
            log.warn("Overloaded: an INVITE waited {} ms for its call lane (limit {} ms); new calls get 503 with"
                    + " Retry-After {} s until INVITEs are handled in time again. Check CPU and database load, or"
                    + " add a node", TimeUnit.NANOSECONDS.toMillis(waitedNanos),
                    settings.maxAdmissionDelay().toMillis(), settings.retryAfterSeconds());
        }
        return false;
    }

    int retryAfterSeconds() {
        return settings.retryAfterSeconds();
    }
}
