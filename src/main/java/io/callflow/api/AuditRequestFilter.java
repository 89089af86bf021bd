package io.callflow.api;

import java.io.IOException;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Records every change made through Callflow's {@code /api} and Camunda's {@code /engine-rest} (any method but GET,
 * HEAD and OPTIONS): who, method, path, status and source address. Reads add nothing. A request refused for missing or
 * wrong credentials (401) is not recorded here: a wrong password is a failed login, already recorded, and a request
 * without credentials changed nothing.
 */
final class AuditRequestFilter extends OncePerRequestFilter {

    /** Request attribute naming who made the request, set when it authenticates (or fails to). */
    static final String ACTOR = AuditRequestFilter.class.getName() + ".actor";
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    // Spring's RequestContextHolder is not bound for /api here: Jersey's RequestContextFilter (Camunda's REST API)
    // takes the place of Spring MVC's and is mapped to /engine-rest only.
    private static final ThreadLocal<HttpServletRequest> CURRENT = new ThreadLocal<>();

    private final AuditLog auditLog;

    AuditRequestFilter(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    /** The request this thread is handling under {@code /api} or {@code /engine-rest}, for the login events. */
    static HttpServletRequest current() {
        return CURRENT.get();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        CURRENT.set(request);
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            record(request, HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            throw e;
        } finally {
            CURRENT.remove();
        }
        record(request, response.getStatus());
    }

    private void record(HttpServletRequest request, int status) {
        if (READS.contains(request.getMethod()) || status == HttpServletResponse.SC_UNAUTHORIZED) {
            return;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String area = path.startsWith("/engine-rest/") ? "engine-rest" : "api";
        String outcome = status < 400 ? AuditLog.SUCCESS : status == HttpServletResponse.SC_FORBIDDEN
                ? AuditLog.DENIED : AuditLog.FAILURE;
        String detail = "HTTP " + status + (request.getQueryString() == null ? "" : "; query " + request.getQueryString());
        auditLog.record((String) request.getAttribute(ACTOR), area + "." + request.getMethod(), path, detail,
                request.getRemoteAddr(), outcome);
    }
}
