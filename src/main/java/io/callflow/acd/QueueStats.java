package io.callflow.acd;

import java.time.Duration;
import java.time.Instant;

/**
 * A queue's figures over an interval (from the queue event log) and right now. Service level = calls answered within
 * the threshold / (answered + abandoned after the threshold): a caller who hangs up before the threshold is not held
 * against the queue. {@code agentsNeeded} is the Erlang C staffing estimate for the interval's traffic and handle time.
 */
public record QueueStats(String queue, Instant from, Instant to, int offered, int answered, int abandoned,
        int timedOut, int answeredWithinThreshold, double serviceLevelPercent, Duration averageSpeedOfAnswer,
        Duration averageHandleTime, Duration longestWait, int waitingNow, Duration longestWaitingNow,
        int agentsLoggedIn, int agentsNeeded, CallbackFigures callbacks) {

    /**
     * Callbacks, their own kind in a queue's figures: requested in the interval, connected (both sides answered; also
     * counted in {@code answered}, with the wait since the caller first queued), completed, and ended without reaching
     * the customer (retries used up, expired, cancelled), plus those waiting for their turn now.
     */
    public record CallbackFigures(int requested, int connected, int completed, int failed, int expired,
            int cancelled, int waitingNow) {
    }
}
