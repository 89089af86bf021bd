package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * URIs that are not SIP URIs, and Vias that name a transport the request did not arrive over: each request gets a
 * final answer, nothing is held afterwards (the B2BUA's maps, the stack's transactions and dialogs) and nothing is
 * logged as an ERROR. Regressions: a {@code tel:} From threw ClassCastException after 100 Trying and kept the server
 * transaction and dialog forever; a REGISTER or OPTIONS whose Via said SCTP over UDP threw NullPointerException with
 * no answer and an ERROR per packet.
 */
class SipUriSchemesTest extends RunningCallflow {

    @Autowired SipHealthIndicator health;
    SipProbe probe;
    SipHealthIndicator.SipState baseline;

    @BeforeEach
    void probe() throws Exception {
        probe = new SipProbe(SIP_PORT);
        baseline = health.state();
    }

    @AfterEach
    void close() {
        probe.close();
    }

    @Test
    void aTelCallerIsANormalCaller() throws Exception {
        String invite = invite("sip:999@127.0.0.1", "tel:+4930123456", "sip:999@callflow.local");

        String response = probe.exchange(invite, 3000);

        assertThat(SipProbe.status(response)).as(response).isEqualTo(404);
        assertThat(probe.logged(Level.INFO)).anySatisfy(line -> assertThat(line.getFormattedMessage())
                .contains("from +4930123456").contains("unknown number 999"));
        probe.ack(invite, response);
        assertNothingHeldAndNoError();
    }

    @Test
    void aTelRequestUriIsACallToThatNumber() throws Exception {
        String invite = invite("tel:100", "sip:caller@example.net", "tel:100");

        String response = probe.exchange(invite, 3000);

        assertThat(SipProbe.status(response)).as(response).isEqualTo(404);
        assertThat(probe.logged(Level.INFO)).anySatisfy(line -> assertThat(line.getFormattedMessage())
                .contains("unknown number 100"));
        probe.ack(invite, response);
        assertNothingHeldAndNoError();
    }

    @ParameterizedTest
    @CsvSource({"urn:service:sos", "xyz:abc"})
    void anUnknownRequestUriSchemeIsUnsupported(String requestUri) throws Exception {
        String invite = invite(requestUri, "sip:caller@example.net", "sip:sos@example.net");

        String response = probe.exchange(invite, 3000);

        // RFC 3261 section 8.2.2.1.
        assertThat(SipProbe.status(response)).as(response).isEqualTo(416);
        assertNothingHeldAndNoError();
    }

    @Test
    void aCallerWithAnUnknownSchemeIsAnonymousButServed() throws Exception {
        String invite = invite("sip:999@127.0.0.1", "xyz:abc", "sip:999@callflow.local");

        String response = probe.exchange(invite, 3000);

        assertThat(SipProbe.status(response)).as(response).isEqualTo(404);
        probe.ack(invite, response);
        assertNothingHeldAndNoError();
    }

    @ParameterizedTest
    @CsvSource({"REGISTER, SCTP", "REGISTER, XYZ", "REGISTER, TLS", "REGISTER, TCP", "OPTIONS, SCTP",
        "OPTIONS, XYZ", "OPTIONS, TLS"})
    void aViaTransportOtherThanTheOneUsedIsABadRequestWithoutAnError(String method, String transport)
            throws Exception {
        String request = probe.message("odd-via.txt", Map.of("method", method, "user", "1001",
                "viaTransport", transport));

        String response = probe.exchange(request, 3000);

        assertThat(SipProbe.status(response)).as(response).isEqualTo(400);
        assertThat(response).contains("Via transport");
        assertNothingHeldAndNoError();
    }

    @Test
    void aThousandOddViasCostAFewLogLinesAtMost() throws Exception {
        for (int i = 0; i < 1000; i++) {
            probe.send(probe.message("odd-via.txt", Map.of("method", i % 2 == 0 ? "REGISTER" : "OPTIONS",
                    "user", "1001", "viaTransport", "SCTP")).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.drain(300) == 0);

        assertThat(probe.errors()).isEmpty();
        assertThat(probe.logged(Level.WARN)).hasSizeLessThanOrEqualTo(2);
    }

    private String invite(String requestUri, String from, String to) {
        return probe.message("invite-schemes.txt", Map.of("requestUri", requestUri, "from", from, "to", to));
    }

    private void assertNothingHeldAndNoError() {
        // A non-2xx answer's transaction ends T4 (5 s) after our ACK (RFC 3261 section 17.2.1, Timer I).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var now = health.state();
            assertThat(now.activeCalls()).isLessThanOrEqualTo(baseline.activeCalls());
            assertThat(now.sipCallIds()).isLessThanOrEqualTo(baseline.sipCallIds());
            assertThat(now.dialogs()).isLessThanOrEqualTo(baseline.dialogs());
            assertThat(now.serverTransactions()).isLessThanOrEqualTo(baseline.serverTransactions());
        });
        assertThat(probe.errors()).as("ERROR lines").isEmpty();
    }
}
