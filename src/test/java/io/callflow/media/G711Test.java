package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class G711Test {

    @Test
    void knownCodeWordsDecodeToTheStandardValues() {
        // ITU-T G.711: mu-law 0xFF and A-law 0xD5 are the codes for (near) zero; 0x00 / 0x2A the loudest negatives.
        assertThat(G711.decode(Sdp.PCMU, (byte) 0xff)).isZero();
        assertThat(G711.decode(Sdp.PCMA, (byte) 0xd5)).isEqualTo((short) 8);
        assertThat(G711.decode(Sdp.PCMU, (byte) 0x00)).isEqualTo((short) -32124);
        assertThat(G711.decode(Sdp.PCMA, (byte) 0x2a)).isEqualTo((short) -32256);
        assertThat(G711.encode(Sdp.PCMU, (short) 0)).isEqualTo((byte) 0xff);
        assertThat(G711.encode(Sdp.PCMA, (short) 0)).isEqualTo((byte) 0xd5);
    }

    @Test
    void everyCodeWordSurvivesDecodeThenEncode() {
        for (int code = 0; code < 256; code++) {
            byte b = (byte) code;
            // mu-law has two codes for zero (0x7F and 0xFF); both decode to 0, which encodes as 0xFF.
            if (code != 0x7f) {
                assertThat(G711.encode(Sdp.PCMU, G711.decode(Sdp.PCMU, b))).as("mu-law %02x", code).isEqualTo(b);
            }
            assertThat(G711.encode(Sdp.PCMA, G711.decode(Sdp.PCMA, b))).as("A-law %02x", code).isEqualTo(b);
        }
    }

    @Test
    void quantisationErrorStaysWithinTheSegmentStep() {
        for (int linear = -32000; linear <= 32000; linear += 7) {
            short s = (short) linear;
            double bound = Math.max(16, Math.abs(linear) / 16.0);
            assertThat(Math.abs(G711.decode(Sdp.PCMU, G711.encode(Sdp.PCMU, s)) - linear)).isLessThanOrEqualTo((int) bound);
            assertThat(Math.abs(G711.decode(Sdp.PCMA, G711.encode(Sdp.PCMA, s)) - linear)).isLessThanOrEqualTo((int) bound);
        }
    }

    @Test
    void transcodingMapsEachCodeToTheOtherLawsNearestCode() {
        for (int code = 0; code < 256; code++) {
            byte mu = (byte) code;
            assertThat(G711.transcode(Sdp.PCMA, mu)).isEqualTo(G711.encode(Sdp.PCMA, G711.decode(Sdp.PCMU, mu)));
            assertThat(G711.transcode(Sdp.PCMU, mu)).isEqualTo(G711.encode(Sdp.PCMU, G711.decode(Sdp.PCMA, mu)));
        }
    }
}
