package io.callflow.media;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SRTP transform of one direction of one leg (RFC 3711), for AES-CM and HMAC-SHA1: session keys derived from the
 * SDES master key and salt (section 4.3, key derivation rate 0), payload encrypted in counter mode (section 4.1.1),
 * header and payload authenticated with the rollover counter (section 4.2). Receiving estimates the packet index
 * (section 3.3.1) and drops replays (section 3.3.2, a 64-packet window). Not thread-safe: a leg's packets are handled
 * on its one event loop. Built on the JDK's AES/CTR and HmacSHA1, so no native library is needed.
 */
final class SrtpContext {

    private static final int LABEL_CIPHER = 0;
    private static final int LABEL_AUTH = 1;
    private static final int LABEL_SALT = 2;
    private static final int AUTH_KEY_LENGTH = 20;
    private static final int REPLAY_WINDOW = 64;

    private final SrtpSuite suite;
    private final Cipher cipher;
    private final SecretKeySpec cipherKey;
    private final byte[] sessionSalt;
    private final Mac mac;

    // Receive side (section 3.3.1): the highest sequence number and rollover counter authenticated so far.
    private boolean started;
    private int ssrc;
    private int highestSequence;
    private long rollover;
    private long replayBitmap;
    // Send side: our own rollover counter, counted when the sequence number wraps.
    private int lastSentSequence = -1;
    private long sentRollover;

    SrtpContext(SrtpSuite suite, byte[] masterKey, byte[] masterSalt) {
        if (masterKey.length != SrtpSuite.KEY_LENGTH || masterSalt.length != SrtpSuite.SALT_LENGTH) {
            throw new IllegalArgumentException("SRTP master key must be 16 bytes and salt 14 bytes");
        }
        this.suite = suite;
        try {
            this.cipher = Cipher.getInstance("AES/CTR/NoPadding");
            this.cipherKey = new SecretKeySpec(derive(masterKey, masterSalt, LABEL_CIPHER, SrtpSuite.KEY_LENGTH),
                    "AES");
            this.sessionSalt = derive(masterKey, masterSalt, LABEL_SALT, SrtpSuite.SALT_LENGTH);
            this.mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(derive(masterKey, masterSalt, LABEL_AUTH, AUTH_KEY_LENGTH), "HmacSHA1"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks AES/CTR or HmacSHA1", e);
        }
    }

    SrtpSuite suite() {
        return suite;
    }

    /** Section 4.3.1: AES-CM over (label || index DIV kdr) XOR master salt; with kdr 0 the index part is zero. */
    static byte[] derive(byte[] masterKey, byte[] masterSalt, int label, int length) {
        byte[] iv = new byte[16];
        System.arraycopy(masterSalt, 0, iv, 0, SrtpSuite.SALT_LENGTH);
        iv[7] ^= (byte) label;
        return keystream(masterKey, iv, length);
    }

    /** AES in counter mode from {@code iv} (section 4.1.1); JCE's CTR increments the whole block as AES-CM does. */
    static byte[] keystream(byte[] key, byte[] iv, int length) {
        try {
            Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            return aes.doFinal(new byte[length]);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks AES/CTR", e);
        }
    }

    /** An RTP packet to SRTP: the payload encrypted and the authentication tag appended. */
    byte[] protect(byte[] rtp, int length) {
        int header = headerLength(rtp, length);
        if (header < 0) {
            return null;
        }
        int sequence = sequence(rtp);
        if (lastSentSequence >= 0 && sequence < lastSentSequence && lastSentSequence - sequence > 0x8000) {
            sentRollover = (sentRollover + 1) & 0xffffffffL;
        }
        lastSentSequence = sequence;
        long index = (sentRollover << 16) | sequence;
        byte[] out = Arrays.copyOf(rtp, length + suite.tagLength);
        crypt(out, header, length, ssrc(rtp), index);
        byte[] tag = tag(out, length, sentRollover);
        System.arraycopy(tag, 0, out, length, suite.tagLength);
        return out;
    }

    /** An SRTP packet to RTP, or {@code null} when it fails authentication or is a replay (it must be dropped). */
    byte[] unprotect(byte[] srtp, int length) {
        int authenticated = length - suite.tagLength;
        if (authenticated < RtpDecoder.HEADER) {
            return null;
        }
        int header = headerLength(srtp, authenticated);
        if (header < 0) {
            return null;
        }
        int packetSsrc = ssrc(srtp);
        // A new SSRC (the remote restarted, or a re-INVITE changed the source) starts its index afresh, once its
        // first packet has passed authentication.
        boolean known = started && packetSsrc == ssrc;
        int sequence = sequence(srtp);
        long roc = known ? estimateRollover(sequence) : 0;
        long index = (roc << 16) | sequence;
        if (known && isReplay(index)) {
            return null;
        }
        byte[] expected = tag(srtp, authenticated, roc & 0xffffffffL);
        if (!MessageDigest.isEqual(Arrays.copyOf(expected, suite.tagLength),
                Arrays.copyOfRange(srtp, authenticated, length))) {
            return null;
        }
        byte[] out = Arrays.copyOf(srtp, authenticated);
        crypt(out, header, authenticated, packetSsrc, index);
        accept(known, packetSsrc, sequence, roc, index);
        return out;
    }

    /** Section 3.3.1: the rollover counter the sender most likely used for {@code sequence}. */
    private long estimateRollover(int sequence) {
        if (highestSequence < 0x8000) {
            // Before the first packet seen, at the very start, there is no earlier rollover counter.
            return sequence - highestSequence > 0x8000 && rollover > 0 ? rollover - 1 : rollover;
        }
        return highestSequence - 0x8000 > sequence ? (rollover + 1) & 0xffffffffL : rollover;
    }

    private boolean isReplay(long index) {
        long highest = (rollover << 16) | highestSequence;
        long delta = index - highest;
        if (delta > 0) {
            return false;
        }
        return -delta >= REPLAY_WINDOW || (replayBitmap & (1L << -delta)) != 0;
    }

    private void accept(boolean known, int packetSsrc, int sequence, long roc, long index) {
        if (!known) {
            started = true;
            ssrc = packetSsrc;
            rollover = roc;
            highestSequence = sequence;
            replayBitmap = 1;
            return;
        }
        long highest = (rollover << 16) | highestSequence;
        long delta = index - highest;
        if (delta > 0) {
            replayBitmap = delta >= REPLAY_WINDOW ? 1 : (replayBitmap << delta) | 1;
            rollover = roc;
            highestSequence = sequence;
        } else {
            replayBitmap |= 1L << -delta;
        }
    }

    /** Section 4.1.1: IV = (session salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16). */
    private void crypt(byte[] packet, int from, int to, int packetSsrc, long index) {
        if (to <= from) {
            return;
        }
        byte[] iv = new byte[16];
        System.arraycopy(sessionSalt, 0, iv, 0, SrtpSuite.SALT_LENGTH);
        for (int i = 0; i < 4; i++) {
            iv[4 + i] ^= (byte) (packetSsrc >>> (24 - 8 * i));
        }
        for (int i = 0; i < 6; i++) {
            iv[8 + i] ^= (byte) (index >>> (40 - 8 * i));
        }
        try {
            cipher.init(Cipher.ENCRYPT_MODE, cipherKey, new IvParameterSpec(iv));
            cipher.doFinal(packet, from, to - from, packet, from);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR failed", e);
        }
    }

    /** Section 4.2: HMAC-SHA1 over the authenticated portion and the rollover counter. */
    private byte[] tag(byte[] packet, int length, long roc) {
        mac.update(packet, 0, length);
        mac.update(new byte[] {(byte) (roc >>> 24), (byte) (roc >>> 16), (byte) (roc >>> 8), (byte) roc});
        return mac.doFinal();
    }

    /** The RTP header's length with CSRCs and extension (RFC 3550 section 5), or -1 when the packet is shorter. */
    private static int headerLength(byte[] packet, int length) {
        if (length < RtpDecoder.HEADER || (packet[0] & 0xc0) != 0x80) {
            return -1;
        }
        int header = RtpDecoder.HEADER + 4 * (packet[0] & 0x0f);
        if ((packet[0] & 0x10) != 0) {
            if (length < header + 4) {
                return -1;
            }
            header += 4 + 4 * (((packet[header + 2] & 0xff) << 8) | (packet[header + 3] & 0xff));
        }
        return header <= length ? header : -1;
    }

    private static int sequence(byte[] packet) {
        return ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
    }

    private static int ssrc(byte[] packet) {
        return ((packet[8] & 0xff) << 24) | ((packet[9] & 0xff) << 16) | ((packet[10] & 0xff) << 8)
                | (packet[11] & 0xff);
    }
}
