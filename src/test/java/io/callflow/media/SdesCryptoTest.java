package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SDES crypto attributes (RFC 4568 section 9.1): what is taken, what is skipped (section 6.3), what is written. */
class SdesCryptoTest {

    static final String KEY = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

    @Test
    void aKeyWithOrWithoutALifetimeIsTaken() {
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY)).hasValueSatisfying(c -> {
            assertThat(c.tag()).isEqualTo(1);
            assertThat(c.suite()).isEqualTo(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        });
        assertThat(SdesCrypto.parse("2 AES_CM_128_HMAC_SHA1_32 inline:" + KEY + "|2^20")).isPresent();
    }

    @Test
    void whatCallflowCannotHonourIsSkipped() {
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|2^20|1:4")).isEmpty();
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + " UNENCRYPTED_SRTP")).isEmpty();
        assertThat(SdesCrypto.parse("1 AES_256_CM_HMAC_SHA1_80 inline:" + KEY)).isEmpty();
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=")).isEmpty();
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:not base64!")).isEmpty();
        assertThat(SdesCrypto.parse("x AES_CM_128_HMAC_SHA1_80 inline:" + KEY)).isEmpty();
    }

    @Test
    void theFirstUsableAttributeOfTheAudioStreamComesFirst() {
        String sdp = "v=0\r\nm=audio 4000 RTP/SAVP 0\r\n"
                + "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" + KEY + "\r\n"
                + "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" + KEY + "\r\n"
                + "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "\r\n"
                + "m=video 4002 RTP/SAVP 96\r\na=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "\r\n";
        assertThat(SdesCrypto.of(sdp)).extracting(SdesCrypto::tag).containsExactly(2, 3);
        assertThat(SdesCrypto.profile(sdp)).isEqualTo("RTP/SAVP");
    }

    @Test
    void aGeneratedKeyIsWrittenBackAsItIsReadAndNeverLogged() {
        SdesCrypto key = SdesCrypto.generate(7, SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        SdesCrypto read = SdesCrypto.parse(key.attribute()).orElseThrow();
        assertThat(read.key()).isEqualTo(key.key());
        assertThat(read.salt()).isEqualTo(key.salt());
        assertThat(key.toString()).doesNotContain(key.attribute().substring(key.attribute().indexOf(':') + 1));
        assertThat(SdesCrypto.generate(7, SrtpSuite.AES_CM_128_HMAC_SHA1_80).key()).isNotEqualTo(key.key());
    }
}
