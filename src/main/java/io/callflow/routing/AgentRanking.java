package io.callflow.routing;

import java.util.List;

/** Candidate agent ids, best first, and the rules that produced the order (kept with the call record). */
public record AgentRanking(List<String> agentIds, List<String> firedRules) {
}
