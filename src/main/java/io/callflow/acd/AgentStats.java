package io.callflow.acd;

import java.time.Duration;
import java.time.Instant;

/** An agent's figures over an interval: calls answered, talk time, and occupancy (busy / logged-in, 0..1). */
public record AgentStats(String agentId, Instant from, Instant to, int answered, Duration talkTime,
        Duration loggedIn, double occupancy) {
}
