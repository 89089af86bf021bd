package io.callflow.platform;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns {@link DatabaseUnavailableException} into Spring Boot's short start-up failure report. */
public class DatabaseUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<DatabaseUnavailableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DatabaseUnavailableException cause) {
        return new FailureAnalysis(
                "Cannot open the database at " + redact(cause.url()) + ": " + cause.getMessage(),
                "Fix " + cause.settingToFix() + ". See docs/configuration.md, section Database.",
                cause);
    }

    /** A JDBC URL may carry a password as a parameter; never print it. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
