package io.callflow.routing;

import java.util.List;
import java.util.Map;

/**
 * Which of the candidate agents (all available and qualified) should take a call from {@code queue}, under the
 * queue's strategy (longest-idle, round-robin, fewest-calls, least-talk-time, random, skills-weighted, sticky);
 * {@code lastAgentId} is the agent who last served this caller, for the sticky strategy.
 */
public record RankingRequest(CallFacts call, String queue, String strategy, Map<String, Integer> requiredSkills,
        String lastAgentId, List<AgentFacts> candidates) {
}
