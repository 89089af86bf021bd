package io.callflow.media;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A WAV recording of a call, 8 kHz 16-bit: stereo (caller left, agent right) or mixed mono. The media ticker hands
 * it one frame of each side every 20 ms (silence for a side that sent nothing), so the sides stay aligned in time.
 * The RIFF and data sizes are rewritten after every frame, so the file is a valid WAV of everything written so far
 * even if the call drops or the process stops mid-way. With a key the file is instead written once, front to back, in
 * {@link RecordingCipher}'s encrypted format (the WAV header's sizes stay 0; reading fills them in).
 */
final class Recorder implements AutoCloseable {

    static final int HEADER = 44;

    private final Path file;
    private final FileChannel out;
    private final int channels;
    private final ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer frame = ByteBuffer.allocate(0);
    private long dataBytes;
    /** Set when encrypting: frames go through it, front to back, and the header is written once. */
    private final OutputStream sealed;

    Recorder(Path file, RecordingChannels mode) throws IOException {
        this(file, mode, null);
    }

    Recorder(Path file, RecordingChannels mode, RecordingKeys keys) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.file = file;
        this.channels = mode == RecordingChannels.MONO ? 1 : 2;
        this.out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        this.sealed = keys == null || !keys.encrypting() ? null : new RecordingCipher.Writer(
                new BufferedOutputStream(Channels.newOutputStream(out)), keys.current(), keys.currentId(),
                RecordingCipher.DEFAULT_CHUNK);
        writeHeader();
    }

    Path file() {
        return file;
    }

    /** Appends one frame: the caller's and the agent's samples (null = silence), {@code length} of each. */
    synchronized void append(short[] caller, short[] agent, int length) throws IOException {
        int bytes = length * 2 * channels;
        if (frame.capacity() < bytes) {
            frame = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        frame.clear();
        for (int i = 0; i < length; i++) {
            short left = caller == null ? 0 : caller[i];
            short right = agent == null ? 0 : agent[i];
            if (channels == 1) {
                frame.putShort(AudioMixer.clip(left + right));
            } else {
                frame.putShort(left).putShort(right);
            }
        }
        frame.flip();
        if (sealed != null) {
            sealed.write(frame.array(), 0, bytes);
            dataBytes += bytes;
            return;
        }
        long position = HEADER + dataBytes;
        while (frame.hasRemaining()) {
            position += out.write(frame, position);
        }
        dataBytes += bytes;
        writeHeader();
    }

    @Override
    public synchronized void close() throws IOException {
        if (sealed != null) {
            sealed.close();
        } else if (out.isOpen()) {
            writeHeader();
            out.close();
        }
    }

    private void writeHeader() throws IOException {
        header.clear();
        header.putInt(0x46464952).putInt((int) (36 + dataBytes)).putInt(0x45564157); // "RIFF" size "WAVE"
        header.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) channels).putInt(8000)
                .putInt(8000 * 2 * channels).putShort((short) (2 * channels)).putShort((short) 16); // "fmt "
        header.putInt(0x61746164).putInt((int) dataBytes); // "data"
        header.flip();
        if (sealed != null) {
            sealed.write(header.array(), 0, HEADER);
            return;
        }
        int position = 0;
        while (header.hasRemaining()) {
            position += out.write(header, position);
        }
    }
}
