package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SdpTest {

    static String offer(String formats, String... attributes) {
        return "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5004 RTP/AVP "
                + formats + "\r\n" + String.join("\r\n", attributes) + "\r\n";
    }

    @Test
    void theAnswerTakesTheOfferersFirstSupportedCodec() {
        assertThat(Sdp.parse(offer("18 8 0 101", "a=rtpmap:18 G729/8000", "a=rtpmap:101 telephone-event/8000"))
                .firstCommonCodec()).isEqualTo(Sdp.PCMA);
        assertThat(Sdp.parse(offer("0 8")).firstCommonCodec()).isEqualTo(Sdp.PCMU);
    }

    @Test
    void noCommonCodecIsReported() {
        assertThat(Sdp.parse(offer("18 9", "a=rtpmap:18 G729/8000", "a=rtpmap:9 G722/8000")).firstCommonCodec())
                .isEqualTo(-1);
    }

    @Test
    void telephoneEventAndDirectionAreRead() {
        Sdp sdp = Sdp.parse(offer("0 96", "a=rtpmap:96 telephone-event/8000", "a=sendonly"));
        assertThat(sdp.telephoneEvent()).isEqualTo(96);
        assertThat(sdp.address()).isEqualTo("192.0.2.1");
        assertThat(sdp.port()).isEqualTo(5004);
        assertThat(Sdp.answerDirection(sdp.direction())).isEqualTo("recvonly");
        assertThat(Sdp.parse(offer("0")).telephoneEvent()).isEqualTo(-1);
    }

    @Test
    void ourSdpListsCodecsInOrderWithTelephoneEvent() {
        String sdp = Sdp.describe(7, "203.0.113.5", 34000, java.util.List.of(8, 0), 101, "sendrecv");
        assertThat(sdp).contains("c=IN IP4 203.0.113.5\r\n", "m=audio 34000 RTP/AVP 8 0 101\r\n",
                "a=rtpmap:8 PCMA/8000\r\n", "a=rtpmap:101 telephone-event/8000\r\n", "a=fmtp:101 0-15\r\n");
        Sdp back = Sdp.parse(sdp);
        assertThat(back.payloadTypes()).containsExactly(8, 0, 101);
    }

    @Test
    void anOfferWithoutAudioIsRefused() {
        assertThatThrownBy(() -> Sdp.parse("v=0\r\nc=IN IP4 192.0.2.1\r\nm=video 5006 RTP/AVP 96\r\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
