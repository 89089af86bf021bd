package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Overload shedding decides by how long an INVITE waited for its lane, and counts what it refuses. */
class AdmissionControlTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void admitsWithinTheLimitAndRefusesBeyondIt() {
        var control = new AdmissionControl(new SipProperties.Overload(Duration.ofSeconds(2), 10), meters);

        assertThat(control.admit(Duration.ofMillis(5).toNanos())).isTrue();
        assertThat(control.admit(Duration.ofSeconds(2).toNanos())).as("exactly at the limit").isTrue();
        assertThat(control.admit(Duration.ofMillis(2001).toNanos())).isFalse();
        assertThat(control.admit(Duration.ofSeconds(9).toNanos())).isFalse();
        assertThat(control.admit(Duration.ofMillis(3).toNanos())).as("caught up again").isTrue();

        assertThat(meters.counter("callflow.sip.overload.refused").count()).isEqualTo(2);
        assertThat(control.retryAfterSeconds()).isEqualTo(10);
    }

    @Test
    void zeroTurnsSheddingOff() {
        var control = new AdmissionControl(new SipProperties.Overload(Duration.ZERO, 10), meters);

        assertThat(control.admit(Duration.ofMinutes(1).toNanos())).isTrue();
        assertThat(meters.counter("callflow.sip.overload.refused").count()).isZero();
    }

    @Test
    void anEpisodeIsOneStartAndOneEndLineEvenWhenLateAndTimelyInvitesAlternate() {
        var nanos = new AtomicLong();
        var control = new AdmissionControl(new SipProperties.Overload(Duration.ofSeconds(1), 10), meters, nanos::get);
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        var logger = (Logger) LoggerFactory.getLogger(AdmissionControl.class);
        logger.addAppender(logged);
        try {
            // 13 s of overload as measured: every 100 ms a late INVITE, then a timely one.
            for (int i = 0; i < 130; i++) {
                nanos.addAndGet(Duration.ofMillis(50).toNanos());
                assertThat(control.admit(Duration.ofSeconds(2).toNanos())).isFalse();
                nanos.addAndGet(Duration.ofMillis(50).toNanos());
                assertThat(control.admit(Duration.ofMillis(10).toNanos())).isTrue();
            }
            assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).hasSize(1)
                    .allSatisfy(line -> assertThat(line).startsWith("Overloaded"));

            nanos.addAndGet(AdmissionControl.EPISODE_END_AFTER.toNanos() - Duration.ofMillis(100).toNanos());
            assertThat(control.admit(Duration.ofMillis(10).toNanos())).isTrue();
            assertThat(logged.list).as("not over before the quiet time").hasSize(1);

            nanos.addAndGet(Duration.ofMillis(200).toNanos());
            assertThat(control.admit(Duration.ofMillis(10).toNanos())).isTrue();
            assertThat(control.admit(Duration.ofMillis(10).toNanos())).isTrue();
            assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).hasSize(2).last()
                    .isEqualTo("Overload over: 130 new call(s) were refused with 503");

            nanos.addAndGet(Duration.ofMinutes(1).toNanos());
            assertThat(control.admit(Duration.ofSeconds(3).toNanos())).isFalse();
            assertThat(logged.list).as("a later overload is a new episode").hasSize(3);
        } finally {
            logger.detachAppender(logged);
        }
    }
}
