package io.callflow.routing;

import java.time.Duration;
import java.util.Map;

/**
 * An agent as the ranking rules see it: skills with proficiency 1-10, queue penalty, how long the agent has been idle,
 * calls and talk time today, and the round-robin cursor position within the queue.
 */
public record AgentFacts(String agentId, String sipUser, Map<String, Integer> skills, int penalty, Duration idle,
        int callsToday, Duration talkTimeToday, int roundRobinOrder) {
}
