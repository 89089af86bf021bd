package io.callflow.api;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Tenant;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Tells the engine who calls Camunda's REST API, so its authorization checks apply to that user: without it the
 * engine sees no user and allows everything (the REST API has no authentication of its own behind Spring Security).
 * The engine's authentication is thread-bound and is removed when the request ends.
 */
class EngineRestAuthentication extends OncePerRequestFilter {

    private final IdentityService identityService;
    private final RequestMatcher engineRest;

    /**
     * Only for {@code engineRest}: Callflow's own code (behind {@code /api}) calls the engine as itself, with no user,
     * and is authorized by its own role checks.
     */
    EngineRestAuthentication(IdentityService identityService, RequestMatcher engineRest) {
        this.identityService = identityService;
        this.engineRest = engineRest;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !engineRest.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication user = SecurityContextHolder.getContext().getAuthentication();
        if (user == null || !user.isAuthenticated()) {
            chain.doFilter(request, response);
            return;
        }
        List<String> groups = user.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .filter(authority -> authority.startsWith(CamundaIdentityAuthenticationProvider.GROUP_PREFIX))
                .map(authority -> authority.substring(CamundaIdentityAuthenticationProvider.GROUP_PREFIX.length()))
                .toList();
        List<String> tenants = identityService.createTenantQuery().userMember(user.getName())
                .includingGroupsOfUser(true).list().stream()
                .map(Tenant::getId)
                .toList();
        identityService.setAuthentication(user.getName(), groups, tenants);
        try {
            chain.doFilter(request, response);
        } finally {
            identityService.clearAuthentication();
        }
    }
}
