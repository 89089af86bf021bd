package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import io.callflow.support.MutableClock;

/** Password guessing over HTTP Basic is stopped per source and per user, without locking the real user out. */
class LoginGuardTest {

    final MutableClock clock = new MutableClock();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final LoginGuard guard = new LoginGuard(new HttpProtectionProperties.LoginGuardSettings(true, 3, 5,
            Duration.ofMinutes(15), Duration.ofMinutes(1), Duration.ofHours(1)), clock, meters);

    @Test
    void aSourceWithTooManyFailuresIsRefusedForEveryUserWhileOthersAreNot() {
        guard.failed("alice", "10.0.0.1");
        guard.failed("bob", "10.0.0.1");
        assertThat(guard.refusal("admin", "10.0.0.1")).isEmpty();
        guard.failed("carol", "10.0.0.1");

        assertThat(guard.refusal("admin", "10.0.0.1")).contains(Duration.ofMinutes(1));
        assertThat(guard.refusal("admin", "10.0.0.2")).isEmpty();
        assertThat(meters.counter("callflow.http.login.refused", "per", "source").count()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(61));
        assertThat(guard.refusal("admin", "10.0.0.1")).isEmpty();
    }

    @Test
    void eachFailureAfterTheLimitDoublesTheRefusalUpToTheMaximum() {
        for (int i = 0; i < 3; i++) {
            guard.failed("x" + i, "10.0.0.1");
        }
        assertThat(guard.refusal("x", "10.0.0.1")).contains(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1));
        guard.failed("x", "10.0.0.1");
        assertThat(guard.refusal("x", "10.0.0.1")).contains(Duration.ofMinutes(2));
        clock.advance(Duration.ofMinutes(2));
        guard.failed("x", "10.0.0.1");
        assertThat(guard.refusal("x", "10.0.0.1")).contains(Duration.ofMinutes(4));
        for (int i = 0; i < 5; i++) {
            clock.advance(guard.refusal("x", "10.0.0.1").orElseThrow());
            guard.failed("x", "10.0.0.1");
        }
        assertThat(guard.refusal("x", "10.0.0.1")).contains(Duration.ofHours(1));
    }

    @Test
    void failuresAreForgottenAfterAQuietWindow() {
        guard.failed("a", "10.0.0.1");
        guard.failed("b", "10.0.0.1");
        clock.advance(Duration.ofMinutes(15));
        guard.failed("c", "10.0.0.1");
        assertThat(guard.refusal("a", "10.0.0.1")).isEmpty();
    }

    @Test
    void guessingOneUserFromManySourcesIsStoppedExceptFromAddressesTheUserLoggedInFrom() {
        guard.succeeded("alice", "192.168.1.10");
        for (int i = 1; i <= 5; i++) {
            guard.failed("alice", "203.0.113." + i);
        }

        assertThat(guard.refusal("alice", "203.0.113.99")).contains(Duration.ofMinutes(1));
        assertThat(guard.refusal("alice", "192.168.1.10")).isEmpty();
        assertThat(guard.refusal("bob", "203.0.113.99")).isEmpty();
        assertThat(meters.counter("callflow.http.login.refused", "per", "user").count()).isEqualTo(1);

        guard.succeeded("alice", "192.168.1.10");
        assertThat(guard.refusal("alice", "203.0.113.99")).isEmpty();
    }

    @Test
    void aSuccessDoesNotForgiveTheFailuresOfItsSource() {
        guard.failed("a", "10.0.0.1");
        guard.failed("b", "10.0.0.1");
        guard.succeeded("mallory", "10.0.0.1");
        guard.failed("c", "10.0.0.1");
        assertThat(guard.refusal("mallory", "10.0.0.1")).isPresent();
    }

}
