package io.callflow.media;

import io.netty.buffer.ByteBuf;

/** G.711 mu-law and A-law companding (ITU-T G.711), as lookup tables for decoding and arithmetic for encoding. */
final class G711 {

    private static final short[] ULAW_TO_LINEAR = new short[256];
    private static final short[] ALAW_TO_LINEAR = new short[256];
    // Relaying between a mu-law and an A-law leg maps each byte directly (via the linear value), one lookup a sample.
    private static final byte[] ULAW_TO_ALAW = new byte[256];
    private static final byte[] ALAW_TO_ULAW = new byte[256];

    static {
        for (int i = 0; i < 256; i++) {
            ULAW_TO_LINEAR[i] = ulawToLinear((byte) i);
            ALAW_TO_LINEAR[i] = alawToLinear((byte) i);
        }
        for (int i = 0; i < 256; i++) {
            ULAW_TO_ALAW[i] = linearToAlaw(ULAW_TO_LINEAR[i]);
            ALAW_TO_ULAW[i] = linearToUlaw(ALAW_TO_LINEAR[i]);
        }
    }

    private G711() {
    }

    static short decode(int payloadType, byte sample) {
        return payloadType == 8 ? ALAW_TO_LINEAR[sample & 0xff] : ULAW_TO_LINEAR[sample & 0xff];
    }

    static byte encode(int payloadType, short sample) {
        return payloadType == 8 ? linearToAlaw(sample) : linearToUlaw(sample);
    }

    /** Decodes {@code length} bytes of {@code payload} from {@code offset} into {@code samples}. */
    static void decode(int payloadType, ByteBuf payload, int offset, int length, short[] samples) {
        short[] table = payloadType == 8 ? ALAW_TO_LINEAR : ULAW_TO_LINEAR;
        for (int i = 0; i < length; i++) {
            samples[i] = table[payload.getByte(offset + i) & 0xff];
        }
    }

    /** One G.711 byte in the other law (payload type {@code to}); the same byte when the laws match. */
    static byte transcode(int to, byte sample) {
        return to == 8 ? ULAW_TO_ALAW[sample & 0xff] : ALAW_TO_ULAW[sample & 0xff];
    }

    static byte linearToUlaw(short pcm) {
        int sample = pcm;
        int sign = (sample >> 8) & 0x80;
        if (sign != 0) {
            sample = -sample;
        }
        sample = Math.min(sample, 32635) + 0x84;
        int exponent = 7;
        for (int mask = 0x4000; (sample & mask) == 0 && exponent > 0; mask >>= 1) {
            exponent--;
        }
        int mantissa = (sample >> (exponent + 3)) & 0x0f;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    static short ulawToLinear(byte ulaw) {
        int u = ~ulaw & 0xff;
        int t = ((u & 0x0f) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (short) ((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    static byte linearToAlaw(short pcm) {
        int sample = pcm;
        int sign = (~sample >> 8) & 0x80;
        if (sign == 0) {
            sample = -sample;
        }
        sample = Math.min(sample, 32635);
        int compressed;
        if (sample >= 256) {
            int exponent = 7;
            for (int mask = 0x4000; (sample & mask) == 0 && exponent > 1; mask >>= 1) {
                exponent--;
            }
            int mantissa = (sample >> (exponent + 3)) & 0x0f;
            compressed = (exponent << 4) | mantissa;
        } else {
            compressed = sample >> 4;
        }
        return (byte) ((compressed ^ (sign ^ 0x55)) & 0xff);
    }

    static short alawToLinear(byte alaw) {
        int a = (alaw ^ 0x55) & 0xff;
        int t = (a & 0x0f) << 4;
        int segment = (a & 0x70) >> 4;
        switch (segment) {
            case 0 -> t += 8;
            case 1 -> t += 0x108;
            default -> {
                t += 0x108;
                t <<= segment - 1;
            }
        }
        return (short) ((a & 0x80) != 0 ? t : -t);
    }
}
