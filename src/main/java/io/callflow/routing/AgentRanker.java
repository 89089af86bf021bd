package io.callflow.routing;

/** Orders qualified agents for a call by the queue's strategy, as the rule base says. */
public interface AgentRanker {

    AgentRanking rank(RankingRequest request);
}
