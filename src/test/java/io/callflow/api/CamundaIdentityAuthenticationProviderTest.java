package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.List;

import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/** A checked password is remembered for the TTL; a wrong one never is, so every failure reaches the user store. */
class CamundaIdentityAuthenticationProviderTest {

    final IdentityService identity = mock(IdentityService.class, RETURNS_DEEP_STUBS);

    @BeforeEach
    void users() {
        when(identity.checkPassword("alice", "right")).thenReturn(true);
        Group agents = mock(Group.class);
        when(agents.getId()).thenReturn("callflow-agent");
        when(identity.createGroupQuery().groupMember("alice").list()).thenReturn(List.of(agents));
    }

    @Test
    void aCheckedPasswordIsRememberedForTheTtl() {
        var provider = new CamundaIdentityAuthenticationProvider(identity, Duration.ofSeconds(10));
        var first = provider.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("alice", "right"));
        var second = provider.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("alice", "right"));
        assertThat(second.getAuthorities()).extracting(GrantedAuthority::getAuthority)
                .contains("ROLE_AGENT", "GROUP_callflow-agent");
        assertThat(second).isSameAs(first);
        verify(identity, times(1)).checkPassword("alice", "right");
    }

    @Test
    void aWrongPasswordIsCheckedEveryTimeAndDoesNotMatchARememberedOne() {
        var provider = new CamundaIdentityAuthenticationProvider(identity, Duration.ofSeconds(10));
        provider.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("alice", "right"));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> provider.authenticate(
                    UsernamePasswordAuthenticationToken.unauthenticated("alice", "wrong")))
                    .isInstanceOf(BadCredentialsException.class);
        }
        verify(identity, times(3)).checkPassword("alice", "wrong");
    }

    @Test
    void aTtlOfZeroChecksEveryRequest() {
        var provider = new CamundaIdentityAuthenticationProvider(identity, Duration.ZERO);
        provider.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("alice", "right"));
        provider.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("alice", "right"));
        verify(identity, times(2)).checkPassword(anyString(), anyString());
    }
}
