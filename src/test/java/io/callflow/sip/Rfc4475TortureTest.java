package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 4475's torture messages that apply to a user agent server, each in {@code src/test/resources/sip/rfc4475/}
 * (written after the RFC's descriptions, addressed to this test's socket): valid ones (section 3.1.1) get the answer
 * any request of theirs would get here (the dial plan's 404 for an unknown number, the registrar's challenge, 200 to
 * OPTIONS, 405/501 for methods Callflow does not take), invalid ones (3.1.2, and the application-layer cases of 3.3
 * and 3.4 that a UAS must handle) the 4xx/5xx the RFC asks for. Never silence, never an ERROR in the log.
 */
class Rfc4475TortureTest extends RunningCallflow {

    SipProbe probe;

    @BeforeEach
    void probe() throws Exception {
        probe = new SipProbe(SIP_PORT);
    }

    @AfterEach
    void close() {
        probe.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // 3.1.1 valid messages: answered as any such request is
        "3.1.1.1-wsinv.txt        | 481 | its To has a tag: a request in a dialog we do not know (RFC 3261 12.2.2)",
        "3.1.1.2-intmeth.txt      | 501 | an unknown method",
        "3.1.1.3-esc01.txt        | 404 | escaped user: an unknown number",
        "3.1.1.4-escnull.txt      | 401 | the registrar's challenge",
        "3.1.1.5-esc02.txt        | 501 | RE%47IST%45R is not REGISTER",
        "3.1.1.6-lwsdisp.txt      | 200 | no LWS before <",
        "3.1.1.7-longreq.txt      | 404 | long values: an unknown number",
        "3.1.1.8-dblreq.txt       | 401 | the REGISTER is answered, the trailing INVITE ignored",
        "3.1.1.9-semiuri.txt      | 200 | semicolons in the user part",
        "3.1.1.10-transports.txt  | 200 | unknown transports in lower Vias",
        "3.1.1.11-mpart01.txt     | 405 | MESSAGE is not taken",
        // 3.1.2 invalid messages
        "3.1.2.1-badinv01.txt     | 400 | extraneous separators",
        "3.1.2.2-clerr.txt        | 400 | Content-Length larger than the message (RFC 3261 18.3)",
        "3.1.2.3-ncl.txt          | 400 | negative Content-Length",
        "3.1.2.4-scalar02.txt     | 400 | overlarge CSeq and Max-Forwards",
        "3.1.2.6-quotbal.txt      | 400 | unterminated quoted string",
        "3.1.2.7-ltgtruri.txt     | 400 | <> around the Request-URI",
        "3.1.2.8-lwsruri.txt      | 400 | LWS inside the Request-URI",
        "3.1.2.9-lwsstart.txt     | 400 | several SP in the Request-Line",
        "3.1.2.14-badaspec.txt    | 400 | spaces within addr-spec",
        "3.1.2.15-baddn.txt       | 400 | non-token characters in a display name",
        "3.1.2.16-badvers.txt     | 505 | SIP/7.0",
        "3.1.2.17-mismatch01.txt  | 400 | CSeq method differs from the Request-Line's",
        "3.1.2.18-mismatch02.txt  | 400 | unknown method, CSeq method differs",
        // 3.3 application-layer semantics, 3.4 backward compatibility
        "3.3.2-unksm.txt          | 416 | unknown Request-URI scheme (RFC 3261 8.2.2.1)",
        "3.3.3-novelsc.txt        | 416 | known but atypical Request-URI scheme",
        "3.3.4-unksm2.txt         | 200 | unknown schemes in To, From, Contact are accepted (RFC 3261 8.2.2.1)",
        "3.3.5-bext01.txt         | 420 | Require of unknown options (RFC 3261 8.2.2.3)",
        "3.3.6-invut.txt          | 415 | an INVITE body that is not SDP (RFC 3261 8.2.3)",
        "3.3.8-multi01.txt        | 400 | several values in single-value headers",
        "3.3.9-mcl01.txt          | 400 | two Content-Length headers",
        "3.4.1-inv2543.txt        | 404 | RFC 2543 INVITE without Max-Forwards, branch, From tag: an unknown number",
    })
    void eachTortureMessageGetsTheRightAnswer(String file, int expected, String why) throws Exception {
        String message = probe.message("rfc4475/" + file, Map.of());

        String response = probe.exchange(message, 3000);

        assertThat(SipProbe.status(response)).as(file + " (" + why + "):\n" + response).isEqualTo(expected);
        switch (expected) {
            case 420 -> assertThat(SipProbe.header(response, "Unsupported"))
                    .contains("nothingSupportsThis").contains("nothingSupportsThisEither");
            case 415 -> assertThat(SipProbe.header(response, "Accept")).contains("application/sdp");
            default -> { }
        }
        assertThat(probe.errors()).as("ERROR lines").isEmpty();
    }
}
