package io.callflow.media;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Where the recordings of calls are: {@code <recordings-dir>/<call id>.wav}, the directory from
 * {@code callflow.media.recordings-dir} or {@code <data-dir>/recordings}. For reading a finished or running recording
 * (the operations API's download); the media engine writes them.
 */
@Component
public class RecordingFiles {

    /** Call ids as Callflow makes them (UUIDs) and as tests name them: never a path. */
    private static final Pattern SAFE_CALL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path directory;
    private final RecordingKeys keys;

    RecordingFiles(MediaProperties properties, @Value("${callflow.data-dir}") Path dataDir, RecordingKeys keys) {
        this.directory = directory(properties, dataDir);
        this.keys = keys;
    }

    static Path directory(MediaProperties properties, Path dataDir) {
        return properties.recordingsDir() != null ? properties.recordingsDir() : dataDir.resolve("recordings");
    }

    /** The call's recording, if it has one (a call id that could name another file has none). */
    public Optional<Path> of(String callId) {
        if (callId == null || !SAFE_CALL_ID.matcher(callId).matches() || callId.contains("..")) {
            return Optional.empty();
        }
        Path file = directory.resolve(callId + ".wav");
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** Whether the file is in the encrypted format (else a plain WAV). */
    public boolean encrypted(Path file) {
        try {
            return RecordingCipher.isEncrypted(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens an encrypted recording as WAV bytes, decrypted chunk by chunk as they are read (never to disk), its WAV
     * sizes filled in. The first chunk is decrypted here, so a missing or wrong key fails before anything is sent:
     * {@link RecordingUnreadable} for a file still being written, cut short or sealed with a key not configured.
     */
    public RecordingContent decrypt(Path file) {
        try {
            return decrypting(file, keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RecordingContent decrypting(Path file, RecordingKeys keys) throws IOException {
        long length = RecordingCipher.plainLength(file);
        if (length < 0) {
            throw new RecordingUnreadable("the encrypted recording is still being written or was cut short");
        }
        InputStream raw = Files.newInputStream(file);
        try {
            RecordingCipher.Reader reader = new RecordingCipher.Reader(raw, keys.all());
            byte[] head = reader.readNBytes((int) Math.min(Recorder.HEADER, length));
            if (head.length == Recorder.HEADER && head[0] == 'R' && head[1] == 'I' && head[2] == 'F' && head[3] == 'F') {
                // The header was written before the length was known: fill in the RIFF and data sizes.
                ByteBuffer wav = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
                wav.putInt(4, (int) (length - 8)).putInt(40, (int) (length - Recorder.HEADER));
            }
            return new RecordingContent(length,
                    new SequenceInputStream(new ByteArrayInputStream(head), reader));
        } catch (IOException e) {
            raw.close();
            throw new RecordingUnreadable("the encrypted recording cannot be read: " + e.getMessage());
        }
    }

    /** Deletes the call's recording file, if any; returns whether there was one. */
    public boolean delete(String callId) {
        Optional<Path> found = of(callId);
        try {
            return found.isPresent() && Files.deleteIfExists(found.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
