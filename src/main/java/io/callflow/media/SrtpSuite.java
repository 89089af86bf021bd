package io.callflow.media;

import java.util.Optional;

/**
 * The SRTP crypto suites Callflow speaks (RFC 4568 section 6.2): AES in counter mode with a 128-bit key and
 * HMAC-SHA1 authentication, the tag cut to 80 or 32 bits. Both use a 112-bit master salt.
 */
enum SrtpSuite {
    AES_CM_128_HMAC_SHA1_80(10), AES_CM_128_HMAC_SHA1_32(4);

    static final int KEY_LENGTH = 16;
    static final int SALT_LENGTH = 14;

    final int tagLength;

    SrtpSuite(int tagLength) {
        this.tagLength = tagLength;
    }

    static Optional<SrtpSuite> named(String name) {
        for (SrtpSuite suite : values()) {
            if (suite.name().equals(name)) {
                return Optional.of(suite);
            }
        }
        return Optional.empty();
    }
}
