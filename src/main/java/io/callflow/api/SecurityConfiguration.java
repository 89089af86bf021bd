package io.callflow.api;

import java.util.ArrayList;
import java.util.List;

import org.camunda.bpm.engine.IdentityService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Secure by default: Camunda's REST API (open out of the box), Callflow's {@code /api} and the operational actuator
 * endpoints require HTTP Basic authentication against Camunda's users; the Camunda webapps keep their own login.
 * Who may do what is in docs/security.md: {@code /api} operations check roles themselves ({@code @PreAuthorize});
 * the REST API is for administrators and supervisors only, its identity and deployment operations for administrators
 * only, and the engine's own authorizations apply behind that to the calling user.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    CamundaIdentityAuthenticationProvider camundaIdentityAuthenticationProvider(IdentityService identityService,
            HttpProtectionProperties protection) {
        return new CamundaIdentityAuthenticationProvider(identityService, protection.authenticationCacheTtl());
    }

    /**
     * No Micrometer observation per security filter, authentication and authorization: each request went through a
     * dozen of them, a sixth of a request's CPU (docs/benchmarks.md, "Operations API"); the HTTP server's own
     * observation (metrics {@code http.server.requests}, the request's trace span) stays.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiSecurity(HttpSecurity http, IdentityService identityService) throws Exception {
        return http
                // Path matchers, not MVC ones: Camunda's REST API is a Jersey servlet outside Spring MVC.
                .securityMatcher(new OrRequestMatcher(path("/engine-rest/**"), path("/api/**"), path("/actuator/**")))
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(path("/actuator/health"), path("/actuator/health/**"), path("/actuator/info"))
                        .permitAll()
                        // The API's description is documentation, not data: integrators read it before they have a user.
                        .requestMatchers(path(HttpMethod.GET, "/api/v1/openapi.json"),
                                path(HttpMethod.GET, "/api/v1/openapi.json/**"), path(HttpMethod.GET, "/api/v1/docs"),
                                path(HttpMethod.GET, "/api/v1/swagger-ui/**"))
                        .permitAll()
                        .requestMatchers(adminOnlyEngineOperations()).hasRole(Roles.ADMIN)
                        .requestMatchers(path("/engine-rest/**")).hasAnyRole(Roles.ADMIN, Roles.SUPERVISOR)
                        .requestMatchers(path("/actuator/**")).hasRole(Roles.ADMIN)
                        // The live events WebSocket has no controller method to carry @PreAuthorize: its roles are here.
                        .requestMatchers(path(HttpMethod.GET, EventsWebSocketConfiguration.PATH))
                        .hasAnyRole(Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT)
                        .anyRequest().authenticated())
                .addFilterAfter(new EngineRestAuthentication(identityService, path("/engine-rest/**")),
                        AuthorizationFilter.class)
                .httpBasic(basic -> basic.realmName("Callflow"))
                // Stateless API clients send credentials on every request, so there is no session to forge.
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain webappsAndUi(HttpSecurity http) throws Exception {
        // The Camunda webapps authenticate with their own session login and CSRF filter; ui/ pages call /api.
        return http
                .securityMatcher(AnyRequestMatcher.INSTANCE)
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .build();
    }

    /**
     * Users, groups, memberships, authorizations and tenants (who may do what), and deployments (code that runs on the
     * server); under the default engine's paths and the named-engine ones ({@code /engine-rest/engine/default/...}).
     */
    private static RequestMatcher adminOnlyEngineOperations() {
        List<RequestMatcher> matchers = new ArrayList<>();
        for (String prefix : List.of("/engine-rest", "/engine-rest/engine/*")) {
            for (String resource : List.of("user", "group", "authorization", "tenant", "identity")) {
                matchers.add(path(prefix + "/" + resource));
                matchers.add(path(prefix + "/" + resource + "/**"));
            }
            for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE)) {
                matchers.add(path(method, prefix + "/deployment/**"));
            }
        }
        return new OrRequestMatcher(matchers);
    }

    private static RequestMatcher path(HttpMethod method, String pattern) {
        return PathPatternRequestMatcher.withDefaults().matcher(method, pattern);
    }

    private static RequestMatcher path(String pattern) {
        return PathPatternRequestMatcher.withDefaults().matcher(pattern);
    }
}
