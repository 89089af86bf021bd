package io.callflow.routing;

/** A score for one candidate agent; higher ranks first, scores from several rules add up. */
public record AgentScore(String agentId, double score) {
}
