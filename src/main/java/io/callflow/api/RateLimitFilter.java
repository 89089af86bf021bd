package io.callflow.api;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits the HTTP request rate per key (the source address, or the authenticated user) with a token bucket each:
 * {@code limit} requests refilled evenly over {@code period}. A request over the limit is answered 429 with
 * Retry-After (RFC 6585 section 4) and never reaches a servlet. Health probes are never limited, so a load balancer
 * does not take a busy node for a dead one.
 */
final class RateLimitFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);
    /** Keys tracked at once; beyond this the least recently seen are forgotten, which bounds memory under a flood. */
    private static final int MAX_TRACKED_KEYS = 100_000;

    private final String scope;
    private final Function<HttpServletRequest, String> keyOf;
    private final int limit;
    private final Duration period;
    private final Cache<String, Bucket> buckets;
    private final TimeMeter time;
    private final Counter limited;
    private final OncePerKeyLog episodes;

    private RateLimitFilter(String scope, Function<HttpServletRequest, String> keyOf, int limit, Duration period,
            Clock clock, MeterRegistry meters) {
        this.scope = scope;
        this.keyOf = keyOf;
        this.limit = limit;
        this.period = period;
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
        // A bucket idle for a whole period is full again, so forgetting it then changes nothing.
        this.buckets = Caffeine.newBuilder().ticker(ticker).expireAfterAccess(period).maximumSize(MAX_TRACKED_KEYS)
                .build();
        this.limited = Counter.builder("callflow.http.rate-limited").tag("per", scope)
                .description("HTTP requests refused with 429 because their " + scope + " was over its rate limit")
                .register(meters);
        this.episodes = new OncePerKeyLog(period, clock);
    }

    /** Limits each source address (as Tomcat reports it: behind a proxy, see server.forward-headers-strategy). */
    static RateLimitFilter perSource(int limit, Duration period, Clock clock, MeterRegistry meters) {
        return new RateLimitFilter("source", HttpServletRequest::getRemoteAddr, limit, period, clock, meters);
    }

    /**
     * Limits each user authenticated by Spring Security (HTTP Basic); must run after its filter chain. Requests
     * without such a user (the webapps' own session login, public pages) are left to the per-source limit.
     */
    static RateLimitFilter perUser(int limit, Duration period, Clock clock, MeterRegistry meters) {
        return new RateLimitFilter("user", RateLimitFilter::authenticatedUser, limit, period, clock, meters);
    }

    private static String authenticatedUser(HttpServletRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication == null || !authentication.isAuthenticated()
                || authentication instanceof AnonymousAuthenticationToken ? null : authentication.getName();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = isHealthProbe(request) ? null : keyOf.apply(request);
        if (key == null) {
            chain.doFilter(request, response);
            return;
        }
        ConsumptionProbe probe = buckets.get(key, this::newBucket).tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            chain.doFilter(request, response);
            return;
        }
        limited.increment();
        if (episodes.startsEpisode(key)) {
            log.warn("HTTP rate limit of {} requests per {} exceeded by {} {}; its requests are answered 429 (logged"
                    + " once until it has kept to the limit for {})", limit, period, scope,
                    OncePerKeyLog.printable(key), period);
        }
        ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "More than " + limit + " requests per "
                + period + " from this " + scope + "; retry after the time given in Retry-After",
                Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    private static boolean isHealthProbe(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/actuator/health") || path.startsWith("/actuator/health/");
    }

    private Bucket newBucket(String key) {
        return Bucket.builder().withCustomTimePrecision(time)
                .addLimit(bandwidth -> bandwidth.capacity(limit).refillGreedy(limit, period))
                .build();
    }
}
