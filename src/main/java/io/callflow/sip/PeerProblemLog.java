package io.callflow.sip;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import org.slf4j.Logger;

/**
 * Logs what a peer's message caused, one WARN line per cause at most once per {@link #INTERVAL}, with the number of
 * lines suppressed since, so a stream of bad packets is a few lines an hour instead of one (or a stack trace) per
 * packet. The cause is a short fixed text ("REGISTER failed: NullPointerException"); the details of the line that is
 * written are the latest occurrence's. Stack traces only at DEBUG. Bucket4j limits each cause, a size-bounded
 * Caffeine map holds the causes, so a peer inventing causes cannot grow memory.
 */
final class PeerProblemLog {

    static final Duration INTERVAL = Duration.ofMinutes(1);
    private static final int MAX_CAUSES = 1_000;

    private final Logger log;
    private final TimeMeter time;
    private final Cache<String, Limit> causes;

    private record Limit(Bucket bucket, AtomicLong suppressed) {
    }

    PeerProblemLog(Logger log) {
        this(log, System::nanoTime);
    }

    PeerProblemLog(Logger log, LongSupplier nanoTime) {
        this.log = log;
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoTime.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        this.causes = Caffeine.newBuilder().maximumSize(MAX_CAUSES)
                .expireAfterAccess(INTERVAL.multipliedBy(10).toNanos(), TimeUnit.NANOSECONDS)
                .ticker(nanoTime::getAsLong).build();
    }

    /** A WARN line for {@code cause} with {@code detail}, unless one was written for it within the interval. */
    void warn(String cause, String detail, Throwable trace) {
        Limit limit = causes.get(cause, key -> new Limit(Bucket.builder()
                .addLimit(l -> l.capacity(1).refillIntervally(1, INTERVAL)).withCustomTimePrecision(time).build(),
                new AtomicLong()));
        if (!limit.bucket().tryConsume(1)) {
            limit.suppressed().incrementAndGet();
            return;
        }
        long suppressed = limit.suppressed().getAndSet(0);
        String text = CappedStackLogger.cap(cause + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        if (suppressed > 0) {
            log.warn("{} ({} more in the last {} s not logged)", text, suppressed, INTERVAL.toSeconds());
        } else {
            log.warn("{} (further ones logged at most once a minute)", text);
        }
        if (trace != null && log.isDebugEnabled()) {
            log.debug("Stack trace of the above", trace);
        }
    }
}
