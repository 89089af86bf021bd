package io.callflow.routing;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.kie.api.KieBase;
import org.kie.api.definition.rule.Rule;

/**
 * The routing rule base in use, compiled from {@code rules/*.drl}; swapped as a whole, so a decision always sees one
 * consistent set of rules.
 */
public final class RuleBase {

    private final AtomicReference<Compiled> current;

    public RuleBase(KieBase kieBase, List<String> sources) {
        this.current = new AtomicReference<>(new Compiled(kieBase, List.copyOf(sources)));
    }

    public KieBase kieBase() {
        return current.get().kieBase();
    }

    /** The files the current rule base was compiled from, as paths or classpath locations. */
    public List<String> sources() {
        return current.get().sources();
    }

    /** Names of all rules in the current rule base, sorted. */
    public List<String> ruleNames() {
        return current.get().kieBase().getKiePackages().stream()
                .flatMap(pkg -> pkg.getRules().stream())
                .map(Rule::getName)
                .sorted()
                .toList();
    }

    /** Replaces the rule base in one step; calls already deciding keep the one they started with. */
    public void replace(KieBase kieBase, List<String> sources) {
        current.set(new Compiled(Objects.requireNonNull(kieBase), List.copyOf(sources)));
    }

    private record Compiled(KieBase kieBase, List<String> sources) {
    }
}
