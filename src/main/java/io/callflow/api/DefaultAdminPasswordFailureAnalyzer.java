package io.callflow.api;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns {@link DefaultAdminPasswordException} into Spring Boot's short start-up failure report: what to set. */
public class DefaultAdminPasswordFailureAnalyzer extends AbstractFailureAnalyzer<DefaultAdminPasswordException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DefaultAdminPasswordException cause) {
        return new FailureAnalysis(cause.getMessage() + ", where anyone who can reach it could log in as '"
                + cause.adminUser() + "'.",
                "Set CALLFLOW_ADMIN_PASSWORD to a password of your own (e.g. CALLFLOW_ADMIN_PASSWORD='...' ./mvnw "
                        + "spring-boot:run), or listen on loopback only with CALLFLOW_HTTP_ADDRESS=127.0.0.1; "
                        + "callflow.admin.allow-default-password=true (CALLFLOW_ADMIN_ALLOW_DEFAULT_PASSWORD) accepts "
                        + "the risk. See docs/security.md.",
                cause);
    }
}
