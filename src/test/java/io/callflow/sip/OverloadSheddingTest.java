package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Overload shedding over SIP: with an admission limit no INVITE can meet, a caller gets 503 with Retry-After at once,
 * nothing of the call is kept, and the refusal is counted.
 */
@SpringBootTest
@ActiveProfiles("test")
@DirtiesContext
class OverloadSheddingTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n");
    static final int SIP_PORT = RunningCallflow.freePort();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.sip.port", () -> SIP_PORT);
        registry.add("callflow.sip.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.rtp-port-min", () -> 38000);
        registry.add("callflow.media.rtp-port-max", () -> 38099);
        // Every INVITE waits at least a few microseconds for its lane: each one counts as late.
        registry.add("callflow.sip.overload.max-admission-delay", () -> "1ns");
        registry.add("callflow.sip.overload.retry-after-seconds", () -> 7);
    }

    @Autowired MeterRegistry meters;
    @Autowired JdbcTemplate jdbc;
    @Autowired B2bua b2bua;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @Test
    void aLateInviteIsRefusedWith503AndRetryAfterAndLeavesNothingBehind() throws Exception {
        Sipp.start("caller-overloaded.xml", Sipp.freePort(), SIP_PORT, "-s", "300")
                .awaitSuccess(Duration.ofSeconds(20));

        assertThat(meters.counter("callflow.sip.overload.refused").count()).isEqualTo(1);
        assertThat(b2bua.activeCalls()).isZero();
        assertThat(jdbc.queryForObject("select count(*) from call_record", Integer.class)).isZero();
    }
}
