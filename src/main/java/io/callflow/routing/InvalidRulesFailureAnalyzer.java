package io.callflow.routing;

import java.util.stream.Collectors;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports rule files that do not compile at start-up as a short list of file:line: message. */
public class InvalidRulesFailureAnalyzer extends AbstractFailureAnalyzer<InvalidRulesException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidRulesException cause) {
        String problems = cause.problems().stream()
                .map(problem -> "  " + problem)
                .collect(Collectors.joining(System.lineSeparator()));
        return new FailureAnalysis(
                "The routing rules do not compile, so Callflow will not route calls with a partial rule base:"
                        + System.lineSeparator() + problems,
                "Fix the rule file(s) named above (callflow.content.rules-dir) and start again.",
                cause);
    }
}
