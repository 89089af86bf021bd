package io.callflow.routing;

import java.util.List;
import java.util.stream.Collectors;

/** The rule files do not compile; the message lists every problem with its file and line. */
public class InvalidRulesException extends RuntimeException {

    private final List<RuleProblem> problems;

    public InvalidRulesException(List<RuleProblem> problems) {
        super(problems.stream().map(RuleProblem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<RuleProblem> problems() {
        return problems;
    }
}
