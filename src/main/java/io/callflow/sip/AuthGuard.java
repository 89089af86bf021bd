package io.callflow.sip;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.slf4j.LoggerFactory;

/**
 * Slows and stops digest password guessing, per source address and per SIP user, in the manner of fail2ban's jails
 * and Kamailio's htable auth-failure counting. A source with too many failed authentications within the window is
 * blocked: its REGISTERs are dropped unanswered, as pike and fail2ban do, so a guesser learns nothing and a spoofed
 * source gets no reflected traffic. A user with too many failures from anywhere is locked: its authenticated
 * REGISTERs are refused from every address except those it last registered from successfully, so guessing one
 * user's password from many addresses stops while the real phone keeps registering. A repeated block lasts twice as
 * long as the previous one. Bucket4j counts the failures, bounded expiring Caffeine maps hold the state; the blocks
 * and their growth are written here, as neither library has them.
 */
final class AuthGuard {

    /** Sources and users tracked at once; beyond this the least recently seen are forgotten (bounded memory). */
    private static final int MAX_TRACKED = 100_000;
    /** Addresses remembered per user as its usual ones: a desk phone, a softphone at home, a mobile... */
    private static final int USUAL_ADDRESSES_PER_USER = 5;

    private final SipProperties.AuthGuard settings;
    private final List<Cidr> exempt;
    private final Clock clock;
    private final Ticker ticker;
    private final TimeMeter time;
    private final PeerProblemLog problems = new PeerProblemLog(LoggerFactory.getLogger(AuthGuard.class));
    private final Tracker<InetAddress> sources;
    private final Tracker<String> users;
    private final Cache<String, List<InetAddress>> usualAddresses;
    private final Counter wrongResponses;
    private final Counter unknownUsers;

    /** A block in force until {@code until}, the {@code count}-th in a row for its source or user. */
    private record Block(Instant until, int count) {
    }

    AuthGuard(SipProperties.AuthGuard settings, List<Cidr> exempt, Clock clock, MeterRegistry meters) {
        this.settings = settings;
        this.exempt = List.copyOf(exempt);
        this.clock = clock;
        this.ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
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
        this.sources = new Tracker<>("source", "blocked", settings.maxFailuresPerSource(), meters);
        this.users = new Tracker<>("user", "locked", settings.maxFailuresPerUser(), meters);
        this.usualAddresses = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(settings.usualAddressMemory())
                .maximumSize(MAX_TRACKED).build();
        this.wrongResponses = Counter.builder("callflow.sip.auth.failures").tag("reason", "wrong-response")
                .description("Failed digest authentications").register(meters);
        this.unknownUsers = Counter.builder("callflow.sip.auth.failures").tag("reason", "unknown-user")
                .description("Failed digest authentications").register(meters);
    }

    /** Whether a REGISTER from this source may be handled at all; false means drop it without an answer. */
    boolean admits(InetAddress source) {
        if (!settings.enabled() || source == null || isExempt(source) || !sources.blocked(source)) {
            return true;
        }
        sources.refused.increment();
        return false;
    }

    /**
     * Whether an authenticated REGISTER for {@code user} from {@code source} must be refused whatever its credentials,
     * because the user is locked; never from an address it registered from successfully before (or is bound from now).
     */
    boolean refuses(String user, InetAddress source, boolean boundFromSource) {
        if (!settings.enabled() || source == null || !users.blocked(user) || boundFromSource) {
            return false;
        }
        List<InetAddress> usual = usualAddresses.getIfPresent(user);
        if (usual != null && usual.contains(source)) {
            return false;
        }
        users.refused.increment();
        return true;
    }

    /** A failed digest authentication: a wrong response for a known user, or a user that does not exist. */
    void failed(String user, InetAddress source, boolean knownUser) {
        if (!settings.enabled() || source == null) {
            return;
        }
        (knownUser ? wrongResponses : unknownUsers).increment();
        if (!isExempt(source)) {
            sources.fail(source, () -> "source " + source.getHostAddress(),
                    () -> "its REGISTERs are dropped unanswered", "latest for user " + user);
        }
        users.fail(user, () -> "user " + user,
                () -> "REGISTERs from addresses other than " + usual(user) + " are refused",
                "latest from " + source.getHostAddress());
    }

    /** A successful registration: the source becomes one of the user's usual addresses. */
    void succeeded(String user, InetAddress source) {
        if (!settings.enabled() || source == null) {
            return;
        }
        usualAddresses.asMap().compute(user, (key, previous) -> {
            List<InetAddress> addresses = new ArrayList<>(USUAL_ADDRESSES_PER_USER);
            addresses.add(source);
            if (previous != null) {
                previous.stream().filter(address -> !address.equals(source)).limit(USUAL_ADDRESSES_PER_USER - 1)
                        .forEach(addresses::add);
            }
            return List.copyOf(addresses);
        });
    }

    boolean isUserLocked(String user) {
        return users.blocked(user);
    }

    private String usual(String user) {
        List<InetAddress> usual = usualAddresses.getIfPresent(user);
        return usual == null ? "its bound ones (none remembered)"
                : usual.stream().map(InetAddress::getHostAddress).toList().toString();
    }

    private boolean isExempt(InetAddress source) {
        for (Cidr range : exempt) {
            if (range.contains(source)) {
                return true;
            }
        }
        return false;
    }

    /** The n-th block in a row lasts blockTime * 2^(n-1), at most maxBlockTime (fail2ban's bantime.increment). */
    private Duration blockTime(int count) {
        Duration max = settings.maxBlockTime();
        Duration time = settings.blockTime();
        for (int i = 1; i < count && time.compareTo(max) < 0; i++) {
            time = time.multipliedBy(2);
        }
        return time.compareTo(max) > 0 ? max : time;
    }

    /** Failures and blocks of one kind of key (source addresses or user names). */
    private final class Tracker<K> {

        final String scope;
        final String blocked;
        final int maxFailures;
        final Cache<K, Bucket> failures;
        // A block is kept for offenceMemory after it ends, so the next one of the same key lasts longer.
        final Cache<K, Block> blocks;
        final Counter started;
        final Counter refused;

        Tracker(String scope, String blocked, int maxFailures, MeterRegistry meters) {
            this.scope = scope;
            this.blocked = blocked;
            this.maxFailures = maxFailures;
            // A bucket idle for a whole window is full again, so forgetting it then changes nothing.
            this.failures = Caffeine.newBuilder().ticker(ticker).expireAfterAccess(settings.window())
                    .maximumSize(MAX_TRACKED).build();
            this.blocks = Caffeine.newBuilder().ticker(ticker).maximumSize(MAX_TRACKED)
                    .expireAfter(Expiry.<K, Block>writing((key, block) ->
                            Duration.between(clock.instant(), block.until()).plus(settings.offenceMemory())))
                    .build();
            this.started = Counter.builder("callflow.sip.auth.blocks").tag("scope", scope)
                    .description("Sources blocked and users locked for password guessing").register(meters);
            this.refused = Counter.builder("callflow.sip.auth.blocked").tag("scope", scope)
                    .description("REGISTERs dropped (source) or refused (user) because of password guessing")
                    .register(meters);
            meters.gauge("callflow.sip.auth.blocked.now", List.of(Tag.of("scope", scope)),
                    blocks, cache -> cache.asMap().values().stream()
                            .filter(block -> block.until().isAfter(clock.instant())).count());
        }

        boolean blocked(K key) {
            Block block = blocks.getIfPresent(key);
            return block != null && block.until().isAfter(clock.instant());
        }

        /** Counts a failure; at the limit a block starts (failures during a block do not extend it). */
        void fail(K key, Supplier<String> who, Supplier<String> consequence, String latest) {
            if (blocked(key)) {
                return;
            }
            ConsumptionProbe probe = failures.get(key, this::newBucket).tryConsumeAndReturnRemaining(1);
            if (probe.isConsumed() && probe.getRemainingTokens() > 0) {
                return;
            }
            Instant now = clock.instant();
            boolean[] startedNow = {false};
            Block block = blocks.asMap().compute(key, (k, previous) -> {
                if (previous != null && previous.until().isAfter(now)) {
                    return previous;
                }
                startedNow[0] = true;
                int count = previous == null ? 1 : previous.count() + 1;
                return new Block(now.plus(blockTime(count)), count);
            });
            if (startedNow[0]) {
                failures.invalidate(key);
                started.increment();
                // One line per episode, and at most one a minute however many sources or users are blocked.
                problems.warn("SIP password guessing: " + scope + " " + blocked, who.get() + ": " + maxFailures
                        + " failed digest authentications within " + settings.window() + " (" + latest + "); "
                        + consequence.get() + " for " + Duration.between(now, block.until()) + " (block "
                        + block.count() + " in a row)", null);
            }
        }

        private Bucket newBucket(K key) {
            return Bucket.builder().withCustomTimePrecision(time)
                    .addLimit(limit -> limit.capacity(maxFailures).refillGreedy(maxFailures, settings.window()))
                    .build();
        }
    }
}
