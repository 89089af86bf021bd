package io.callflow.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers an HTTP Basic login that {@link LoginGuard} refuses with 429 and Retry-After before Spring Security checks
 * its password. Runs in front of Spring Security's filter chain, so the chain and its authentication provider stay
 * as they are; the outcomes of the logins that are checked reach the guard as authentication events
 * ({@link LoginAttemptListener}).
 */
final class LoginGuardFilter extends OncePerRequestFilter {

    private final LoginGuard guard;

    LoginGuardFilter(LoginGuard guard) {
        this.guard = guard;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String user = basicUser(request.getHeader(HttpHeaders.AUTHORIZATION));
        Optional<Duration> refusal = user == null ? Optional.empty() : guard.refusal(user, request.getRemoteAddr());
        if (refusal.isPresent()) {
            ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "Too many failed logins; logins are"
                    + " refused for a while, longer with each further failure", refusal.get());
            return;
        }
        chain.doFilter(request, response);
    }

    /** The user name of HTTP Basic credentials (RFC 7617), or null if there are none or they cannot be read. */
    static String basicUser(String authorization) {
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String credentials = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = credentials.indexOf(':');
            return colon < 0 ? null : credentials.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
