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
        int agentsLoggedIn, int agentsNeeded) {
}
