package io.callflow.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
    /**
     * Successful checks by user and a SHA-256 of the password, for a few seconds: a stateless client sends its
     * credentials with every request, and checking them against the user store (a password hash and a group query,
     * two engine commands) was the largest share of a request's cost (docs/benchmarks.md, "Operations API"). A
     * changed password, a removed user or a changed group takes effect after at most the TTL; failures are never
     * remembered, so the login guard and Camunda's lockout see every one.
     */
    private final Cache<String, Authentication> checked;

    public CamundaIdentityAuthenticationProvider(IdentityService identityService, Duration cacheTtl) {
        this.identityService = identityService;
        this.checked = Caffeine.newBuilder().maximumSize(10_000)
                .expireAfterWrite(cacheTtl.isNegative() ? Duration.ZERO : cacheTtl).build();
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String user = authentication.getName();
        Object credentials = authentication.getCredentials();
        if (user == null || user.isBlank() || credentials == null) {
            throw new BadCredentialsException("Wrong user name or password");
        }
        String key = user + ':' + sha256(credentials.toString());
        Authentication known = checked.getIfPresent(key);
        if (known != null) {
            return known;
        }
        Authentication result = check(user, credentials.toString());
        checked.put(key, result);
        return result;
    }

    private Authentication check(String user, String password) {
        if (!identityService.checkPassword(user, password)) {
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

    private static String sha256(String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
