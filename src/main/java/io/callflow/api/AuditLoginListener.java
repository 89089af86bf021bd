package io.callflow.api;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Records HTTP Basic logins from Spring Security's authentication events: every failure, and a success at most once
 * per user and source address per {@code loginInterval} (the API is stateless, so every request authenticates). It
 * also tells {@link AuditRequestFilter} who made the request, by a request attribute.
 */
final class AuditLoginListener {

    /** Users and addresses remembered at once; bounded so a spray of logins cannot grow memory. */
    private static final int MAX_REMEMBERED = 100_000;

    private final AuditLog auditLog;
    private final Cache<String, Boolean> recentLogins;

    AuditLoginListener(AuditLog auditLog, Duration loginInterval, Clock clock) {
        this.auditLog = auditLog;
        this.recentLogins = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).expireAfterWrite(loginInterval)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
    }

    @EventListener
    void succeeded(AuthenticationSuccessEvent event) {
        Authentication authentication = event.getAuthentication();
        HttpServletRequest request = currentRequest();
        if (request != null) {
            request.setAttribute(AuditRequestFilter.ACTOR, authentication.getName());
        }
        String source = source(authentication, request);
        if (recentLogins.asMap().putIfAbsent(authentication.getName() + " " + source, Boolean.TRUE) == null) {
            auditLog.record(authentication.getName(), "login", target(request), "HTTP Basic", source,
                    AuditLog.SUCCESS);
        }
    }

    @EventListener
    void failed(AbstractAuthenticationFailureEvent event) {
        Authentication authentication = event.getAuthentication();
        HttpServletRequest request = currentRequest();
        if (request != null) {
            request.setAttribute(AuditRequestFilter.ACTOR, authentication.getName());
        }
        auditLog.record(authentication.getName(), "login", target(request),
                event.getException().getClass().getSimpleName() + ": " + event.getException().getMessage(),
                source(authentication, request), AuditLog.DENIED);
    }

    private static HttpServletRequest currentRequest() {
        return AuditRequestFilter.current();
    }

    private static String target(HttpServletRequest request) {
        return request == null ? null : request.getMethod() + " " + request.getRequestURI();
    }

    private static String source(Authentication authentication, HttpServletRequest request) {
        if (authentication.getDetails() instanceof WebAuthenticationDetails details) {
            return details.getRemoteAddress();
        }
        return request == null ? null : request.getRemoteAddr();
    }
}
