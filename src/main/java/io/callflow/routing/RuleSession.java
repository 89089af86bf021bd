package io.callflow.routing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.kie.api.KieBase;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.runtime.KieSession;

/**
 * One decision against one rule-base snapshot: inserts the facts, fires the rules, and hands back the decision facts
 * the rules inserted together with the names of the rules that fired (the explanation kept with the call).
 */
final class RuleSession {

    private final List<Object> inserted = new ArrayList<>();
    private final Set<String> fired = new LinkedHashSet<>();

    static RuleSession run(KieBase kieBase, List<?> facts) {
        RuleSession result = new RuleSession();
        KieSession session = kieBase.newKieSession();
        try {
            session.addEventListener(new DefaultAgendaEventListener() {
                @Override
                public void afterMatchFired(AfterMatchFiredEvent event) {
                    result.fired.add(event.getMatch().getRule().getName());
                }
            });
            facts.forEach(session::insert);
            session.fireAllRules();
            result.inserted.addAll(session.getObjects());
        } finally {
            session.dispose();
        }
        return result;
    }

    <T> List<T> all(Class<T> type) {
        return inserted.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<String> firedRules() {
        return List.copyOf(fired);
    }
}
