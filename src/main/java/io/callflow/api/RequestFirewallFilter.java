package io.callflow.api;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Applies Spring Security's firewall to every request before any other filter or servlet sees it, and answers a
 * rejected one with 400.
 *
 * <p>Spring Security's own firewall runs inside its filter chain, which is too late: Tomcat has already removed path
 * parameters and dot segments when it chose the servlet, so {@code /ui/..;/engine-rest/user} is mapped to Camunda's
 * REST servlet, and Spring's request-path parsing in front of the chain failed on it with a 500 and a stack trace
 * before the firewall could refuse it. Whether such a request was refused depended on that accident.
 */
final class RequestFirewallFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RequestFirewallFilter.class);
    static final String DETAIL = "The request path is not in normal form: path parameters (';'), encoded slashes,"
            + " periods or percent signs, backslashes and '.' or '..' segments are refused";

    private final HttpFirewall firewall;
    private final Counter rejected;
    private final OncePerKeyLog episodes;

    RequestFirewallFilter(HttpFirewall firewall, MeterRegistry meters, Clock clock) {
        this.firewall = firewall;
        this.rejected = Counter.builder("callflow.http.firewall.rejected")
                .description("Requests refused with 400 because their path is not in normal form").register(meters);
        this.episodes = new OncePerKeyLog(Duration.ofMinutes(1), clock);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            firewall.getFirewalledRequest(request);
        } catch (RequestRejectedException e) {
            rejected.increment();
            String source = request.getRemoteAddr();
            if (episodes.startsEpisode(source)) {
                log.warn("Refused {} {} from {} with 400: {} (further refusals for this address are not logged"
                        + " until it has sent none for a minute)", OncePerKeyLog.printable(request.getMethod()),
                        OncePerKeyLog.printable(request.getRequestURI()), source, e.getMessage());
            }
            ProblemResponses.write(response, HttpStatus.BAD_REQUEST, DETAIL, null);
            return;
        }
        chain.doFilter(request, response);
    }
}
