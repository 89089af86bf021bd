package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

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
}
