package io.callflow.api;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.HttpStatusRequestRejectedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * One firewall for every path: Spring Security's {@link StrictHttpFirewall} with its strict defaults, applied first
 * of all filters (see {@link RequestFirewallFilter}) and again by Spring Security's filter chain, which picks up the
 * same beans. Callflow's API, Camunda's REST API and webapps and {@code ui/} never need path parameters, encoded
 * slashes or dot segments: sessions are tracked by cookie only ({@code server.servlet.session.tracking-modes}), so no
 * {@code ;jsessionid=} appears in a URL either.
 */
@Configuration(proxyBeanMethods = false)
class HttpFirewallConfiguration {

    @Bean
    HttpFirewall httpFirewall() {
        // The defaults refuse ';', encoded '/', '.', '%' and '\', '//' and dot segments, and non-printable characters.
        return new StrictHttpFirewall();
    }

    @Bean
    RequestRejectedHandler requestRejectedHandler() {
        return new HttpStatusRequestRejectedHandler(HttpStatus.BAD_REQUEST.value());
    }

    @Bean
    FilterRegistrationBean<RequestFirewallFilter> requestFirewallFilter(HttpFirewall firewall, MeterRegistry meters,
            Clock clock) {
        FilterRegistrationBean<RequestFirewallFilter> registration =
                new FilterRegistrationBean<>(new RequestFirewallFilter(firewall, meters, clock));
        registration.setName("callflowRequestFirewall");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
