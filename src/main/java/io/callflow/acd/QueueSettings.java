package io.callflow.acd;

import java.time.Duration;

/** The parts of a queue's configuration the call flow acts on: how long to wait, ring, and what the caller hears. */
public record QueueSettings(String queue, Duration maxWait, Duration ringTimeout, Duration announceInterval,
        String musicClass) {
}
