package io.callflow.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pure tones for real phones to send (8 kHz mono 16-bit WAV) and a Goertzel filter to tell which tone a phone heard,
 * block by block, in the WAV file it recorded.
 */
public final class Tones {

    /** Goertzel blocks of 20 ms at 8 kHz: 50 Hz bins, fine enough to tell the test tones apart. */
    private static final int BLOCK = 160;

    private Tones() {
    }

    /** Writes {@code seconds} of a sine at {@code hertz} (amplitude a quarter of full scale) to a temporary WAV. */
    public static Path wav(double hertz, int seconds) throws IOException {
        return wav(hertz, 8000, seconds);
    }

    /** Writes {@code seconds} of silence to a temporary WAV: a phone's microphone in a quiet room. */
    public static Path silence(int seconds) throws IOException {
        return wav(0, 0, seconds);
    }

    private static Path wav(double hertz, double amplitude, int seconds) throws IOException {
        int samples = 8000 * seconds;
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + 2 * samples).putInt(0x45564157);
        b.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000)
                .putShort((short) 2).putShort((short) 16);
        b.putInt(0x61746164).putInt(2 * samples);
        for (int i = 0; i < samples; i++) {
            b.putShort((short) Math.round(amplitude * Math.sin(2 * Math.PI * hertz * i / 8000)));
        }
        Path file = Files.createTempFile("tone-" + (int) hertz, ".wav");
        Files.write(file, b.array());
        return file;
    }

    /** The samples of a mono 16-bit PCM WAV file, wherever its {@code data} chunk is (libsndfile may add chunks). */
    public static short[] read(Path wav) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
        int at = 12;
        while (at + 8 <= b.limit()) {
            int id = b.getInt(at);
            int size = b.getInt(at + 4);
            if (id == 0x61746164) {
                int bytes = Math.min(size < 0 ? Integer.MAX_VALUE : size, b.limit() - at - 8);
                short[] samples = new short[bytes / 2];
                b.position(at + 8);
                b.asShortBuffer().get(samples);
                return samples;
            }
            at += 8 + size + (size & 1);
        }
        throw new IOException(wav + " has no data chunk");
    }

    /**
     * How many 20 ms blocks of {@code samples} carry {@code hertz} clearly: loud (well above the noise of an idle line)
     * and at least ten times the power of every frequency in {@code others}.
     */
    public static int blocksWith(short[] samples, double hertz, double... others) {
        int count = 0;
        for (int start = 0; start + BLOCK <= samples.length; start += BLOCK) {
            double power = power(samples, start, hertz);
            boolean dominant = power > 1e9;
            for (double other : others) {
                dominant &= power > 10 * power(samples, start, other);
            }
            count += dominant ? 1 : 0;
        }
        return count;
    }

    private static double power(short[] samples, int start, double hertz) {
        double coefficient = 2 * Math.cos(2 * Math.PI * hertz / 8000);
        double s1 = 0;
        double s2 = 0;
        for (int i = start; i < start + BLOCK; i++) {
            double s = samples[i] + coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    }

    /** The samples a growing 16-bit PCM WAV dump (44-byte header, e.g. a phone's) holds since byte {@code from}. */
    public static short[] readSince(Path wav, long from) throws IOException {
        byte[] bytes = Files.readAllBytes(wav);
        int start = (int) Math.max(44, from);
        start += (start - 44) & 1;
        short[] samples = new short[(bytes.length - start) / 2];
        ByteBuffer.wrap(bytes, start, samples.length * 2).order(ByteOrder.LITTLE_ENDIAN)
                .asShortBuffer().get(samples);
        return samples;
    }

    /**
     * Whether {@code hertz} is heard: in more than a third of the 20 ms blocks; fails when it is in more than two
     * blocks but not that many (neither clearly heard nor clearly absent: a test must not guess).
     */
    public static boolean heard(short[] samples, double hertz) {
        int blocks = samples.length / BLOCK;
        int with = blocksWith(samples, hertz);
        if (!(with > blocks / 3 || with <= 2)) {
            throw new AssertionError(hertz + " Hz in " + with + " of " + blocks + " blocks: heard or not, nothing"
                    + " between");
        }
        return with > blocks / 3;
    }
}
