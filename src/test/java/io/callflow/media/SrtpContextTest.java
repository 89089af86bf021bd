package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/**
 * The SRTP transform against the test vectors of RFC 3711 appendix B and libSRTP's reference packet (the
 * {@code srtp_validate} vectors of its test driver), then what a receiver must refuse: forged tags and replays.
 */
class SrtpContextTest {

    static final HexFormat HEX = HexFormat.of();
    static final byte[] MASTER_KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    static final byte[] MASTER_SALT = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");

    @Test
    void sessionKeysAreDerivedAsInRfc3711AppendixB3() {
        assertThat(HEX.formatHex(SrtpContext.derive(MASTER_KEY, MASTER_SALT, 0, 16)))
                .isEqualTo("c61e7a93744f39ee10734afe3ff7a087");
        assertThat(HEX.formatHex(SrtpContext.derive(MASTER_KEY, MASTER_SALT, 2, 14)))
                .isEqualTo("30cbbc08863d8c85d49db34a9ae1");
        assertThat(HEX.formatHex(SrtpContext.derive(MASTER_KEY, MASTER_SALT, 1, 20)))
                .isEqualTo("cebe321f6ff7716b6fd4ab49af256a156d38baa4");
    }

    @Test
    void theCounterModeKeystreamIsThatOfRfc3711AppendixB2() {
        byte[] key = HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c");
        byte[] iv = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfd0000");
        byte[] stream = SrtpContext.keystream(key, iv, 16 * 0x10000);
        assertThat(HEX.formatHex(Arrays.copyOfRange(stream, 0, 48))).isEqualTo("e03ead0935c95e80e166b16dd92b4eb4"
                + "d23513162b02d0f72a43a2fe4a5f97ab" + "41e95b3bb0a2e8dd477901e4fca894c0");
        assertThat(HEX.formatHex(Arrays.copyOfRange(stream, 16 * 0xfeff, 16 * 0xff02)))
                .isEqualTo("ec8cdf7398607cb0f2d21675ea9ea1e4" + "362b7c3c6773516318a077d7fc5073ae"
                        + "6a2cc3787889374fbeb4c81b17ba6c44");
    }

    static final byte[] PLAIN = HEX.parseHex("800f1234decafbadcafebabe" + "abababababababababababababababab");
    static final String CIPHER_80 = "800f1234decafbadcafebabe" + "4e55dc4ce79978d88ca4d215949d2402" + "b78d6acc99ea179b8dbb";

    @Test
    void aPacketIsProtectedAsLibSrtpDoesWithEitherTagLength() {
        assertThat(HEX.formatHex(sender(SrtpSuite.AES_CM_128_HMAC_SHA1_80).protect(PLAIN, PLAIN.length)))
                .isEqualTo(CIPHER_80);
        assertThat(HEX.formatHex(sender(SrtpSuite.AES_CM_128_HMAC_SHA1_32).protect(PLAIN, PLAIN.length)))
                .isEqualTo(CIPHER_80.substring(0, CIPHER_80.length() - 12));
    }

    @Test
    void theReferencePacketUnprotectsToItsPlaintext() {
        byte[] srtp = HEX.parseHex(CIPHER_80);
        assertThat(sender(SrtpSuite.AES_CM_128_HMAC_SHA1_80).unprotect(srtp, srtp.length)).isEqualTo(PLAIN);
    }

    @Test
    void aPacketWithAWrongTagOrAlteredPayloadIsRefused() {
        SrtpContext receiver = sender(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        byte[] forged = HEX.parseHex(CIPHER_80);
        forged[forged.length - 1] ^= 1;
        assertThat(receiver.unprotect(forged, forged.length)).isNull();
        byte[] altered = HEX.parseHex(CIPHER_80);
        altered[14] ^= 1;
        assertThat(receiver.unprotect(altered, altered.length)).isNull();
        byte[] other = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, HEX.parseHex("00".repeat(16)), MASTER_SALT)
                .protect(PLAIN, PLAIN.length);
        assertThat(receiver.unprotect(other, other.length)).isNull();
    }

    @Test
    void aReplayedPacketIsRefusedButALateOneInsideTheWindowIsNot() {
        SrtpContext sender = sender(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        SrtpContext receiver = sender(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        byte[] first = sender.protect(rtp(100), 28);
        byte[] second = sender.protect(rtp(101), 28);
        byte[] third = sender.protect(rtp(102), 28);
        assertThat(receiver.unprotect(first, first.length)).isNotNull();
        assertThat(receiver.unprotect(third, third.length)).isNotNull();
        assertThat(receiver.unprotect(second, second.length)).isEqualTo(rtp(101));
        assertThat(receiver.unprotect(second, second.length)).isNull();
        assertThat(receiver.unprotect(first, first.length)).isNull();
    }

    @Test
    void streamsCarryOnAcrossTheSequenceNumberWrap() {
        SrtpContext sender = sender(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        SrtpContext receiver = sender(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        for (int i = 0; i < 70_000; i += 7) {
            int sequence = (65_000 + i) & 0xffff;
            byte[] srtp = sender.protect(rtp(sequence), 28);
            assertThat(receiver.unprotect(srtp, srtp.length)).as("sequence %d", sequence).isEqualTo(rtp(sequence));
        }
    }

    static SrtpContext sender(SrtpSuite suite) {
        return new SrtpContext(suite, MASTER_KEY, MASTER_SALT);
    }

    static byte[] rtp(int sequence) {
        byte[] packet = PLAIN.clone();
        packet[2] = (byte) (sequence >> 8);
        packet[3] = (byte) sequence;
        return packet;
    }
}
