package io.callflow.sip;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-source flood protection in the manner of Kamailio's pike module: each source address has a token bucket of
 * {@code maxRequests} refilled over {@code window}; a source that empties it is banned for {@code banTime}, and
 * while banned its requests are dropped without a response (answering would feed the flood). Exempt ranges (the
 * trunks) are never counted. Checking costs a map lookup and a lock-free bucket update, so it runs on the SIP
 * stack's thread before any other work.
 */
final class FloodGuard {

    private static final Logger log = LoggerFactory.getLogger(FloodGuard.class);
    /** Sources tracked at once; beyond this the least recently seen are forgotten, which bounds memory under a spoofed-source flood. */
    private static final int MAX_TRACKED_SOURCES = 100_000;

    private final SipProperties.Flood settings;
    private final List<Cidr> exempt;
    private final Clock clock;
    private final Cache<InetAddress, Bucket> buckets;
    private final Cache<InetAddress, Instant> banned;
    private final Counter bans;
    private final Counter dropped;
    private final TimeMeter time;

    FloodGuard(SipProperties.Flood settings, List<Cidr> exempt, Clock clock, MeterRegistry meters) {
        this.settings = settings;
        this.exempt = List.copyOf(exempt);
        this.clock = clock;
        Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return ticker.read();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
        // A bucket idle for a whole window is full again, so forgetting it then changes nothing.
        this.buckets = Caffeine.newBuilder().ticker(ticker).expireAfterAccess(settings.window())
                .maximumSize(MAX_TRACKED_SOURCES).build();
        this.banned = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(settings.banTime())
                .maximumSize(MAX_TRACKED_SOURCES).build();
        this.bans = Counter.builder("callflow.sip.flood.bans").description("Sources banned for flooding")
                .register(meters);
        this.dropped = Counter.builder("callflow.sip.flood.dropped")
                .description("Requests dropped unanswered because their source is banned").register(meters);
        meters.gauge("callflow.sip.flood.banned", banned, cache -> {
            cache.cleanUp();
            return cache.estimatedSize();
        });
    }

    /** Whether a request from this source may be handled; false means drop it without a response. */
    boolean admit(InetAddress source) {
        if (!settings.enabled() || source == null || isExempt(source)) {
            return true;
        }
        if (banned.getIfPresent(source) != null) {
            dropped.increment();
            return false;
        }
        if (buckets.get(source, this::newBucket).tryConsume(1)) {
            return true;
        }
        if (banned.asMap().putIfAbsent(source, clock.instant()) == null) {
            bans.increment();
            buckets.invalidate(source);
            log.warn("SIP flood from {}: more than {} requests in {}; its requests are dropped for {}",
                    source.getHostAddress(), settings.maxRequests(), settings.window(), settings.banTime());
        }
        dropped.increment();
        return false;
    }

    boolean isBanned(InetAddress source) {
        return banned.getIfPresent(source) != null;
    }

    private boolean isExempt(InetAddress source) {
        for (Cidr range : exempt) {
            if (range.contains(source)) {
                return true;
            }
        }
        return false;
    }

    private Bucket newBucket(InetAddress source) {
        return Bucket.builder().withCustomTimePrecision(time)
                .addLimit(limit -> limit.capacity(settings.maxRequests())
                        .refillGreedy(settings.maxRequests(), settings.window()))
                .build();
    }
}
