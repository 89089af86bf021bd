package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the SDP parser the media engine runs on every offer and answer the B2BUA receives (the
 * body of an INVITE, re-INVITE or 200, read as UTF-8 as the B2BUA reads it).
 * <p>
 * The contract: {@link Sdp#parse} returns a description whose port is a UDP port (RFC 4566 section 5.14), whose
 * payload types are RTP's 7-bit ones (RFC 3550 section 5.1) and whose direction is one of RFC 3264's four, or throws
 * {@link IllegalArgumentException}, which the media engine turns into {@link NoCommonCodecException} and the B2BUA into
 * 488; nothing else. When an offer has a codec in common, the answer built for it parses back to the same codec,
 * telephone-event type and the mirrored direction. Regression inputs: {@code SdpFuzzTestInputs} (e.g. "m=audio" or
 * "a=rtpmap:0" without their fields threw ArrayIndexOutOfBoundsException before).
 */
class SdpFuzzTest {

    private static final Set<String> DIRECTIONS = Set.of("sendrecv", "sendonly", "recvonly", "inactive");

    @FuzzTest(maxDuration = "10s")
    void offersParseOrAreRejected(byte[] body) {
        Sdp offer;
        try {
            offer = Sdp.parse(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException rejected) {
            assertThat(rejected.getMessage()).as("the reason logged with the 488").isNotNull();
            return;
        }
        assertThat(offer.port()).isBetween(0, 65535);
        assertThat(offer.payloadTypes()).allSatisfy(type -> assertThat(type).isBetween(0, 127));
        assertThat(offer.rtpmap().keySet()).allSatisfy(type -> assertThat(type).isBetween(0, 127));
        assertThat(offer.address()).isNotBlank().doesNotContainAnyWhitespaces();
        assertThat(offer.direction()).isIn(DIRECTIONS);
        int codec = offer.firstCommonCodec();
        assertThat(codec).isIn(-1, Sdp.PCMU, Sdp.PCMA);
        if (codec < 0) {
            return;
        }
        int telephoneEvent = offer.telephoneEvent();
        Sdp answer = Sdp.parse(Sdp.describe(1, "192.0.2.1", 40000, List.of(codec), telephoneEvent,
                Sdp.answerDirection(offer.direction())));
        assertThat(answer.firstCommonCodec()).isEqualTo(codec);
        assertThat(answer.telephoneEvent()).isEqualTo(telephoneEvent);
        assertThat(answer.direction()).isEqualTo(Sdp.answerDirection(offer.direction()));
    }
}
