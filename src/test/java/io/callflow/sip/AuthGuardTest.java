package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import io.callflow.support.MutableClock;

/**
 * The password-guessing guard with a clock moved by hand: per-source blocks, per-user locks that spare the user's
 * usual addresses, blocks that grow when repeated and are forgotten in time.
 */
class AuthGuardTest {

    /** The documented defaults, for tests that construct the registrar by hand. */
    static final SipProperties.AuthGuard DEFAULTS = new SipProperties.AuthGuard(true, 10, 20, Duration.ofMinutes(10),
            Duration.ofMinutes(5), Duration.ofHours(24), Duration.ofHours(24), Duration.ofDays(30), List.of());

    static final InetAddress GUESSER = address("198.51.100.7");
    static final InetAddress PHONE = address("192.0.2.10");

    final MutableClock clock = new MutableClock();
    final MeterRegistry meters = new SimpleMeterRegistry();
    // 3 failures per source, 5 per user within 10 minutes; blocks of 5 minutes doubling up to 20, remembered 1 hour.
    final AuthGuard guard = new AuthGuard(new SipProperties.AuthGuard(true, 3, 5, Duration.ofMinutes(10),
            Duration.ofMinutes(5), Duration.ofMinutes(20), Duration.ofHours(1), Duration.ofDays(30),
            List.of("203.0.113.0/24")), List.of(Cidr.parse("203.0.113.0/24")), clock, meters);

    @Test
    void aSourceIsBlockedAfterItsFailuresAndAdmittedAgainWhenTheBlockEnds() {
        guard.failed("1001", GUESSER, true);
        guard.failed("1999", GUESSER, false);
        assertThat(guard.admits(GUESSER)).as("after 2 failures").isTrue();
        guard.failed("1001", GUESSER, true);

        assertThat(guard.admits(GUESSER)).as("after 3 failures").isFalse();
        assertThat(guard.admits(PHONE)).as("another source").isTrue();
        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(guard.admits(GUESSER)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(guard.admits(GUESSER)).as("after the 5 minute block").isTrue();

        assertThat(meters.get("callflow.sip.auth.failures").tag("reason", "wrong-response").counter().count())
                .isEqualTo(2);
        assertThat(meters.get("callflow.sip.auth.failures").tag("reason", "unknown-user").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("callflow.sip.auth.blocks").tag("scope", "source").counter().count()).isEqualTo(1);
        assertThat(meters.get("callflow.sip.auth.blocked").tag("scope", "source").counter().count()).isEqualTo(2);
    }

    @Test
    void failuresSpreadWiderThanTheWindowNeverBlock() {
        for (int i = 0; i < 10; i++) {
            guard.failed("1001", GUESSER, true);
            clock.advance(Duration.ofMinutes(5));
        }
        assertThat(guard.admits(GUESSER)).isTrue();
    }

    @Test
    void aRepeatedBlockLastsTwiceAsLongUpToTheMaximumAndIsForgottenInTime() {
        assertThat(blockLength()).isEqualTo(Duration.ofMinutes(5));
        assertThat(blockLength()).isEqualTo(Duration.ofMinutes(10));
        assertThat(blockLength()).isEqualTo(Duration.ofMinutes(20));
        assertThat(blockLength()).as("at most max-block-time").isEqualTo(Duration.ofMinutes(20));

        clock.advance(Duration.ofMinutes(61));
        assertThat(blockLength()).as("over an hour after the last block ended").isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aUserGuessedFromManySourcesIsLockedExceptFromItsUsualAddress() {
        guard.succeeded("1001", PHONE);
        for (int i = 1; i <= 5; i++) {
            assertThat(guard.refuses("1001", address("198.51.100." + i), false)).isFalse();
            guard.failed("1001", address("198.51.100." + i), true);
        }
        assertThat(guard.admits(address("198.51.100.1"))).as("no source over its own limit").isTrue();

        assertThat(guard.refuses("1001", address("198.51.100.99"), false)).as("a new address").isTrue();
        assertThat(guard.refuses("1001", PHONE, false)).as("the usual address").isFalse();
        assertThat(guard.refuses("1001", address("192.0.2.99"), true)).as("an address bound now").isFalse();
        assertThat(guard.refuses("1002", address("198.51.100.99"), false)).as("another user").isFalse();
        assertThat(meters.get("callflow.sip.auth.blocks").tag("scope", "user").counter().count()).isEqualTo(1);
        assertThat(meters.get("callflow.sip.auth.blocked").tag("scope", "user").counter().count()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(5));
        assertThat(guard.refuses("1001", address("198.51.100.99"), false)).as("after the lock").isFalse();
    }

    @Test
    void theUsualAddressStillHasItsOwnLimit() {
        guard.succeeded("1001", PHONE);
        for (int i = 0; i < 3; i++) {
            guard.failed("1001", PHONE, true);
        }
        assertThat(guard.admits(PHONE)).isFalse();
    }

    @Test
    void anUnknownUserIsLockedLikeAKnownOneSoLocksRevealNoUsers() {
        for (int i = 1; i <= 5; i++) {
            guard.failed("9999", address("198.51.100." + i), false);
        }
        assertThat(guard.isUserLocked("9999")).isTrue();
    }

    @Test
    void anExemptRangeIsNeverBlockedAsASourceButStillCountsTowardsTheUser() {
        InetAddress office = address("203.0.113.5");
        for (int i = 0; i < 5; i++) {
            guard.failed("1001", office, true);
        }
        assertThat(guard.admits(office)).isTrue();
        assertThat(guard.isUserLocked("1001")).isTrue();
    }

    @Test
    void aDisabledGuardCountsNothingAndBlocksNothing() {
        AuthGuard off = new AuthGuard(new SipProperties.AuthGuard(false, 1, 1, Duration.ofMinutes(10),
                Duration.ofMinutes(5), Duration.ofMinutes(20), Duration.ofHours(1), Duration.ofDays(30), List.of()),
                List.of(), clock, new SimpleMeterRegistry());
        off.failed("1001", GUESSER, true);
        assertThat(off.admits(GUESSER)).isTrue();
        assertThat(off.refuses("1001", GUESSER, false)).isFalse();
    }

    /** Fails the guesser up to a block and measures how long the block lasts; the clock ends at its end. */
    private Duration blockLength() {
        for (int i = 0; i < 3; i++) {
            guard.failed("1001", GUESSER, true);
        }
        assertThat(guard.admits(GUESSER)).isFalse();
        Duration blocked = Duration.ZERO;
        while (!guard.admits(GUESSER)) {
            clock.advance(Duration.ofMinutes(1));
            blocked = blocked.plusMinutes(1);
        }
        return blocked;
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
