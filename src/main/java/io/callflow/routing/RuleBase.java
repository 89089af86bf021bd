package io.callflow.routing;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.kie.api.KieBase;
import org.kie.api.definition.rule.Rule;

/**
 * The routing rule base in use, compiled from {@code rules/*.drl}; swapped as a whole, so a decision always sees one
 * consistent set of rules. It also remembers the last rejected reload, so rule authors can see why their edit is not
 * live.
 */
public final class RuleBase {

    private final AtomicReference<Compiled> current;
    private final AtomicReference<Rejected> lastRejected = new AtomicReference<>();

    public RuleBase(KieBase kieBase, List<String> sources) {
        this.current = new AtomicReference<>(new Compiled(kieBase, List.copyOf(sources), 1, Instant.now()));
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
        Compiled previous = current.get();
        current.set(new Compiled(Objects.requireNonNull(kieBase), List.copyOf(sources), previous.version() + 1,
                Instant.now()));
        lastRejected.set(null);
    }

    /** Records a reload that did not compile; the rule base in use stays as it was. */
    public void rejected(List<RuleProblem> problems) {
        lastRejected.set(new Rejected(List.copyOf(problems), Instant.now()));
    }

    /** What is live and, if the latest edit was rejected, why. */
    public RuleStatus status() {
        Compiled compiled = current.get();
        Rejected rejected = lastRejected.get();
        return new RuleStatus(compiled.version(), compiled.loadedAt(), compiled.sources(), ruleNames(),
                rejected == null ? List.of() : rejected.problems(), rejected == null ? null : rejected.at());
    }

    private record Compiled(KieBase kieBase, List<String> sources, long version, Instant loadedAt) {
    }

    private record Rejected(List<RuleProblem> problems, Instant at) {
    }
}
