package io.callflow.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.stereotype.Component;

/**
 * Routes a call with the current rule base: the highest-weighted {@link QueueChoice} (else the default queue), the sum
 * of {@link PriorityBoost}s, the strictest level per {@link SkillRequirement}, the chosen queue's
 * {@link OverflowTarget}s in order, and whether any rule said {@link CentreClosed}.
 */
@Component
class DroolsCallRouter implements CallRouter {

    private final RuleBase ruleBase;
    private final RoutingProperties properties;

    DroolsCallRouter(RuleBase ruleBase, RoutingProperties properties) {
        this.ruleBase = ruleBase;
        this.properties = properties;
    }

    @Override
    public RoutingDecision route(CallFacts call, List<?> more) {
        List<Object> facts = new ArrayList<>();
        facts.add(call);
        facts.addAll(more);
        RuleSession decided = RuleSession.run(ruleBase.kieBase(), facts);
        String queue = decided.all(QueueChoice.class).stream()
                .max(Comparator.comparingInt(QueueChoice::weight))
                .map(QueueChoice::queue)
                .orElse(properties.defaultQueue());
        int priority = decided.all(PriorityBoost.class).stream().mapToInt(PriorityBoost::amount).sum();
        Map<String, Integer> skills = new TreeMap<>();
        decided.all(SkillRequirement.class).forEach(s -> skills.merge(s.skill(), s.minLevel(), Math::max));
        List<String> overflow = decided.all(OverflowTarget.class).stream()
                .filter(target -> target.from().equals(queue))
                .sorted(Comparator.comparingInt(OverflowTarget::order))
                .map(OverflowTarget::to)
                .distinct()
                .toList();
        boolean closed = !decided.all(CentreClosed.class).isEmpty();
        return new RoutingDecision(queue, priority, Map.copyOf(skills), overflow, closed, decided.firedRules());
    }
}
