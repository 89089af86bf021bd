package io.callflow.api;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Decides whether a problem seen for a key (a source address, a user) starts a new episode worth a log line: the
 * first time, and again only after {@code quiet} has passed without the problem for that key. A flood thus writes
 * one line however long it lasts, and memory stays bounded however many keys it uses.
 */
final class OncePerKeyLog {

    private static final int MAX_TRACKED_KEYS = 10_000;

    private final Cache<String, Boolean> active;

    OncePerKeyLog(Duration quiet, Clock clock) {
        this.active = Caffeine.newBuilder()
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .expireAfterAccess(quiet)
                .maximumSize(MAX_TRACKED_KEYS)
                .build();
    }

    /** Whether this occurrence begins an episode (and should be logged); either way it keeps the episode alive. */
    boolean startsEpisode(String key) {
        // getIfPresent counts as an access, so an ongoing episode never expires.
        return active.getIfPresent(key) == null && active.asMap().putIfAbsent(key, Boolean.TRUE) == null;
    }

    /** Forgets the key's episode, so the next problem is logged again. */
    void end(String key) {
        active.invalidate(key);
    }

    /** A value fit for a log line: control characters replaced (no forged lines) and at most 100 characters. */
    static String printable(String value) {
        if (value == null) {
            return "";
        }
        String cut = value.length() > 100 ? value.substring(0, 100) + "..." : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
