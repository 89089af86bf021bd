package io.callflow.call;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * What a call's lane does when one of its tasks fails for a passing reason (the database is away): the task is tried
 * again after a growing pause, the call's later work waiting behind it so its events keep their order, until
 * {@code giveUpAfter}; then {@code gaveUp} is told, so the call can be ended rather than left half-handled.
 */
public record LaneRetryPolicy(Predicate<Throwable> retryable, Duration firstDelay, Duration maxDelay,
        Duration giveUpAfter, BiConsumer<CallId, Throwable> gaveUp) {

    /** Never retries: every failure is logged and the lane goes on with the next task. */
    public static LaneRetryPolicy none() {
        return new LaneRetryPolicy(failure -> false, Duration.ZERO, Duration.ZERO, Duration.ZERO, (call, e) -> {
        });
    }

    /** The pause before attempt {@code attempt + 1}: doubling from {@code firstDelay}, at most {@code maxDelay}. */
    Duration delayAfter(int attempt) {
        long millis = firstDelay.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
    }
}
