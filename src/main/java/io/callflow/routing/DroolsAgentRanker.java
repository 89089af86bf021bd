package io.callflow.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * Ranks candidate agents by the scores the strategy rules give them ({@link AgentScore}, summed per agent); agents
 * without a score keep their given order after the scored ones, so an unknown strategy still offers the call.
 */
@Component
class DroolsAgentRanker implements AgentRanker {

    private final RuleBase ruleBase;

    DroolsAgentRanker(RuleBase ruleBase) {
        this.ruleBase = ruleBase;
    }

    @Override
    public AgentRanking rank(RankingRequest request) {
        if (request.candidates().isEmpty()) {
            return new AgentRanking(List.of(), List.of());
        }
        List<Object> facts = new ArrayList<>(request.candidates().size() + 1);
        facts.add(request);
        facts.addAll(request.candidates());
        RuleSession decided = RuleSession.run(ruleBase.kieBase(), facts);
        Map<String, Double> scores = new HashMap<>();
        decided.all(AgentScore.class).forEach(score -> scores.merge(score.agentId(), score.score(), Double::sum));
        Map<String, Integer> given = new HashMap<>();
        for (int i = 0; i < request.candidates().size(); i++) {
            given.put(request.candidates().get(i).agentId(), i);
        }
        List<String> ranked = request.candidates().stream().map(AgentFacts::agentId)
                .sorted(Comparator.<String>comparingDouble(id -> -scores.getOrDefault(id, Double.NEGATIVE_INFINITY))
                        .thenComparing(given::get))
                .toList();
        return new AgentRanking(ranked, decided.firedRules());
    }
}
