package io.callflow.api;

import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Tells {@link LoginGuard} how HTTP Basic logins ended, from Spring Security's authentication events (published
 * for every check by {@link CamundaIdentityAuthenticationProvider}, which therefore needs no change). Only logins
 * that carry the request's address (HTTP ones) are counted.
 */
final class LoginAttemptListener {

    private final LoginGuard guard;

    LoginAttemptListener(LoginGuard guard) {
        this.guard = guard;
    }

    @EventListener
    void failed(AbstractAuthenticationFailureEvent event) {
        String source = source(event.getAuthentication());
        if (source != null && event.getAuthentication().getName() != null) {
            guard.failed(event.getAuthentication().getName(), source);
        }
    }

    @EventListener
    void succeeded(AuthenticationSuccessEvent event) {
        String source = source(event.getAuthentication());
        if (source != null) {
            guard.succeeded(event.getAuthentication().getName(), source);
        }
    }

    private static String source(Authentication authentication) {
        return authentication.getDetails() instanceof WebAuthenticationDetails details
                ? details.getRemoteAddress() : null;
    }
}
