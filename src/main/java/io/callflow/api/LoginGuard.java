package io.callflow.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows and stops HTTP Basic password guessing, per source address and per user name.
 *
 * <p>A source with {@code maxFailuresPerSource} failed logins (whatever the user names) has all its logins refused
 * for {@code blockTime}; a user name with {@code maxFailuresPerUser} failed logins (from anywhere) has logins refused
 * from every address it has not logged in from successfully, so the real user keeps working from their usual
 * addresses while a guesser elsewhere is stopped. Each failure after a limit was reached doubles the refusal, up to
 * {@code maxBlockTime}; failures are forgotten after {@code window} without another one (and a user's on a successful
 * login). A refused login never reaches Camunda, so it neither costs a password check nor counts towards Camunda's
 * own per-user lock (docs/configuration.md, "HTTP protection").
 */
final class LoginGuard {

    private static final Logger log = LoggerFactory.getLogger(LoginGuard.class);
    /** Sources, users and (user, source) pairs tracked at once; bounds memory under guessing from many addresses. */
    private static final int MAX_TRACKED_KEYS = 100_000;
    /** How long an address a user logged in from stays trusted for that user while the user name is under attack. */
    private static final Duration KNOWN_SOURCE_MEMORY = Duration.ofDays(30);

    private final HttpProtectionProperties.LoginGuardSettings settings;
    private final Clock clock;
    private final Cache<String, Strikes> sources;
    private final Cache<String, Strikes> users;
    private final Cache<String, Boolean> knownSources;
    private final Counter refusedSource;
    private final Counter refusedUser;
    private final Counter failures;

    LoginGuard(HttpProtectionProperties.LoginGuardSettings settings, Clock clock, MeterRegistry meters) {
        this.settings = settings;
        this.clock = clock;
        Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
        // Strikes idle for the longest refusal plus a window are forgotten by the rules anyway.
        Duration strikeMemory = settings.window().plus(settings.maxBlockTime());
        this.sources = Caffeine.newBuilder().ticker(ticker).expireAfterAccess(strikeMemory)
                .maximumSize(MAX_TRACKED_KEYS).build();
        this.users = Caffeine.newBuilder().ticker(ticker).expireAfterAccess(strikeMemory)
                .maximumSize(MAX_TRACKED_KEYS).build();
        this.knownSources = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(KNOWN_SOURCE_MEMORY)
                .maximumSize(MAX_TRACKED_KEYS).build();
        this.refusedSource = refusedCounter(meters, "source");
        this.refusedUser = refusedCounter(meters, "user");
        this.failures = Counter.builder("callflow.http.login.failures")
                .description("Failed HTTP Basic logins (wrong user name or password)").register(meters);
    }

    private static Counter refusedCounter(MeterRegistry meters, String scope) {
        return Counter.builder("callflow.http.login.refused").tag("per", scope)
                .description("HTTP Basic logins refused unchecked because of failed logins per " + scope)
                .register(meters);
    }

    /** How long a login by this user from this source is refused without checking its password; empty if allowed. */
    Optional<Duration> refusal(String user, String source) {
        if (!settings.enabled()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<Duration> bySource = remaining(sources.getIfPresent(source), now);
        if (bySource.isPresent()) {
            refusedSource.increment();
            return bySource;
        }
        Optional<Duration> byUser = remaining(users.getIfPresent(user), now);
        if (byUser.isPresent() && knownSources.getIfPresent(pair(user, source)) == null) {
            refusedUser.increment();
            return byUser;
        }
        return Optional.empty();
    }

    /** Records a failed login (wrong password, unknown or locked user). */
    void failed(String user, String source) {
        if (!settings.enabled()) {
            return;
        }
        failures.increment();
        Instant now = clock.instant();
        Duration sourceBlock = sources.get(source, key -> new Strikes())
                .fail(now, settings.maxFailuresPerSource());
        if (sourceBlock != null) {
            log.warn("HTTP login guessing from {}: {} failed logins within {} of each other; every login from there"
                    + " is refused for {}, longer with each further failure", source,
                    settings.maxFailuresPerSource(), settings.window(), sourceBlock);
        }
        Duration userBlock = users.get(user, key -> new Strikes()).fail(now, settings.maxFailuresPerUser());
        if (userBlock != null) {
            log.warn("HTTP login guessing against user '{}': {} failed logins within {} of each other, the latest"
                    + " from {}; logins as this user from addresses it has not logged in from are refused for {},"
                    + " longer with each further failure", OncePerKeyLog.printable(user),
                    settings.maxFailuresPerUser(), settings.window(), source, userBlock);
        }
    }

    /**
     * Records a successful login: the source becomes known for the user, and the user's failures are forgiven (as
     * Camunda resets its own count). The source's are not: one valid account must not let a guesser reset them.
     */
    void succeeded(String user, String source) {
        if (!settings.enabled()) {
            return;
        }
        knownSources.put(pair(user, source), Boolean.TRUE);
        users.invalidate(user);
    }

    private static String pair(String user, String source) {
        return user + '\n' + source;
    }

    private static Optional<Duration> remaining(Strikes strikes, Instant now) {
        return strikes == null ? Optional.empty() : strikes.remaining(now);
    }

    /** Failed logins of one key, and until when its logins are refused. */
    private final class Strikes {

        private int count;
        private Instant lastFailure = Instant.MIN;
        private Instant blockedUntil = Instant.MIN;

        synchronized Optional<Duration> remaining(Instant now) {
            return blockedUntil.isAfter(now) ? Optional.of(Duration.between(now, blockedUntil)) : Optional.empty();
        }

        /** Counts a failure; returns the refusal it starts if it is the one reaching the limit, else null. */
        synchronized Duration fail(Instant now, int limit) {
            Instant quietSince = lastFailure.isAfter(blockedUntil) ? lastFailure : blockedUntil;
            if (!quietSince.plus(settings.window()).isAfter(now)) {
                count = 0;
            }
            count++;
            lastFailure = now;
            if (count < limit) {
                return null;
            }
            Duration block = settings.blockTime().multipliedBy(1L << Math.min(count - limit, 20));
            if (block.compareTo(settings.maxBlockTime()) > 0) {
                block = settings.maxBlockTime();
            }
            blockedUntil = now.plus(block);
            return count == limit ? block : null;
        }
    }
}
