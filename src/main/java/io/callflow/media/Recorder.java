package io.callflow.media;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stereo WAV recording of a call (caller left, agent right, 8 kHz 16-bit). Each side's samples are written at its
 * own running position, so the channels stay aligned frame by frame; the RIFF sizes are rewritten after every
 * write batch, so the file is valid even if the call drops or the process stops mid-way.
 */
final class Recorder implements AutoCloseable {

    private static final int HEADER = 44;

    private final Path file;
    private final RandomAccessFile out;
    private final long[] written = new long[2];

    Recorder(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        this.file = file;
        this.out = new RandomAccessFile(file.toFile(), "rw");
        out.setLength(0);
        out.write(header(0));
    }

    Path file() {
        return file;
    }

    /** Writes one side's samples (channel 0 = caller, 1 = agent) at that side's next position. */
    synchronized void write(int channel, short[] samples) throws IOException {
        ByteBuffer sample = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : samples) {
            long frame = written[channel]++;
            out.seek(HEADER + frame * 4 + channel * 2L);
            sample.clear();
            sample.putShort(s);
            out.write(sample.array());
        }
        long frames = Math.max(written[0], written[1]);
        out.seek(0);
        out.write(header(frames * 4));
    }

    @Override
    public synchronized void close() throws IOException {
        long frames = Math.max(written[0], written[1]);
        out.setLength(HEADER + frames * 4);
        out.seek(0);
        out.write(header(frames * 4));
        out.close();
    }

    private static byte[] header(long dataBytes) {
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0x46464952).putInt((int) (36 + dataBytes)).putInt(0x45564157);
        h.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 2).putInt(8000).putInt(8000 * 4)
                .putShort((short) 4).putShort((short) 16);
        h.putInt(0x61746164).putInt((int) dataBytes);
        return h.array();
    }
}
