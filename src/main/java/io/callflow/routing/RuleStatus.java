package io.callflow.routing;

import java.time.Instant;
import java.util.List;

/**
 * The live rule base (version, when loaded, from which files, which rules) and the problems of the latest rejected
 * edit, empty when the latest edit is live.
 */
public record RuleStatus(long version, Instant loadedAt, List<String> files, List<String> rules,
        List<RuleProblem> rejectedProblems, Instant rejectedAt) {
}
