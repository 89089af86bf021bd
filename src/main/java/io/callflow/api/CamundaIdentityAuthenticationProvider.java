package io.callflow.api;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Checks HTTP Basic credentials against Camunda's user store, so Cockpit, Camunda's REST API and Callflow's own
 * {@code /api} share one set of users, managed in Camunda Admin. The user's Camunda groups become authorities:
 * {@code ROLE_ADMIN}, {@code ROLE_SUPERVISOR} and {@code ROLE_AGENT} for Callflow's roles ({@link Roles}), and
 * {@code GROUP_<id>} for every group, which {@link EngineRestAuthentication} hands on to the engine.
 */
public class CamundaIdentityAuthenticationProvider implements AuthenticationProvider {

    static final String GROUP_PREFIX = "GROUP_";

    private final IdentityService identityService;

    public CamundaIdentityAuthenticationProvider(IdentityService identityService) {
        this.identityService = identityService;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String user = authentication.getName();
        Object credentials = authentication.getCredentials();
        if (user == null || user.isBlank() || credentials == null
                || !identityService.checkPassword(user, credentials.toString())) {
            throw new BadCredentialsException("Wrong user name or password");
        }
        List<String> groups = identityService.createGroupQuery().groupMember(user).list().stream()
                .map(Group::getId)
                .toList();
        Stream<GrantedAuthority> roles = groups.stream().map(Roles::roleOf).filter(Objects::nonNull).distinct()
                .map(role -> new SimpleGrantedAuthority("ROLE_" + role));
        Stream<GrantedAuthority> groupAuthorities = groups.stream()
                .map(group -> new SimpleGrantedAuthority(GROUP_PREFIX + group));
        return UsernamePasswordAuthenticationToken.authenticated(user, null,
                Stream.concat(roles, groupAuthorities).toList());
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
