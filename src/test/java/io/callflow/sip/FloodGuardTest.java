package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import io.callflow.support.MutableClock;

class FloodGuardTest {

    static final SipProperties.Flood TEN_PER_SECOND =
            new SipProperties.Flood(true, 10, Duration.ofSeconds(1), Duration.ofSeconds(30), true);

    final MutableClock clock = new MutableClock();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    final InetAddress attacker = address("198.51.100.7");
    final InetAddress phone = address("198.51.100.8");
    final InetAddress trunk = address("203.0.113.1");
    FloodGuard guard;

    @BeforeEach
    void guard() {
        guard = new FloodGuard(TEN_PER_SECOND, List.of(Cidr.parse("203.0.113.0/24")), clock, meters);
        logged.start();
        ((Logger) LoggerFactory.getLogger(FloodGuard.class)).addAppender(logged);
    }

    @AfterEach
    void detach() {
        ((Logger) LoggerFactory.getLogger(FloodGuard.class)).detachAppender(logged);
    }

    @Test
    void aSourceOverTheLimitIsBannedWithOneWarningAndItsRequestsCounted() {
        assertThat(admitted(attacker, 10)).isEqualTo(10);
        assertThat(admitted(attacker, 50)).isZero();
        assertThat(guard.isBanned(attacker)).isTrue();
        assertThat(meters.counter("callflow.sip.flood.bans").count()).isEqualTo(1);
        assertThat(meters.counter("callflow.sip.flood.dropped").count()).isEqualTo(50);
        assertThat(meters.get("callflow.sip.flood.banned").gauge().value()).isEqualTo(1);
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString().contains("198.51.100.7");
    }

    @Test
    void otherSourcesAndTrunksAreNotAffected() {
        admitted(attacker, 100);
        assertThat(admitted(phone, 10)).isEqualTo(10);
        assertThat(admitted(trunk, 5_000)).as("trunks are exempt").isEqualTo(5_000);
    }

    @Test
    void theBanEndsAfterTheBanTime() {
        admitted(attacker, 11);
        clock.advance(Duration.ofSeconds(29));
        assertThat(guard.admit(attacker)).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(admitted(attacker, 10)).isEqualTo(10);
        assertThat(meters.get("callflow.sip.flood.banned").gauge().value()).isZero();
    }

    @Test
    void aSteadyRateUnderTheLimitIsNeverBanned() {
        // 9 requests every second for a minute: a busy phone or a NAT full of phones below the limit.
        for (int second = 0; second < 60; second++) {
            assertThat(admitted(phone, 9)).isEqualTo(9);
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(meters.counter("callflow.sip.flood.bans").count()).isZero();
    }

    @Test
    void disabledAdmitsEverything() {
        guard = new FloodGuard(new SipProperties.Flood(false, 1, Duration.ofSeconds(1), Duration.ofSeconds(30), true),
                List.of(), clock, new SimpleMeterRegistry());
        assertThat(admitted(attacker, 1_000)).isEqualTo(1_000);
    }

    private int admitted(InetAddress source, int requests) {
        int admitted = 0;
        for (int i = 0; i < requests; i++) {
            admitted += guard.admit(source) ? 1 : 0;
        }
        return admitted;
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
