package io.callflow.media;

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

    RecordingFiles(MediaProperties properties, @Value("${callflow.data-dir}") Path dataDir) {
        this.directory = directory(properties, dataDir);
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
}
