package io.callflow.acd;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** A queue entry in the order the ACD serves them: effective priority (aged by waiting), then waiting time. */
record WaitingCall(String callId, String queue, String caller, int priority, Map<String, Integer> requiredSkills,
        Instant enteredAt) {

    /** Priority plus one step per {@code aging} waited, so a long wait eventually beats a higher tier. */
    long effectivePriority(Instant now, Duration aging) {
        long waited = Math.max(0, Duration.between(enteredAt, now).toMillis());
        return priority + (aging.isZero() ? 0 : waited / aging.toMillis());
    }
}
