package io.callflow.media;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Recordings at rest: the AES-256 key new recordings are encrypted with (base64 of 32 bytes; none: plain WAV) and its
 * id written into each file's header, and older keys by id for reading files written before a rotation. (Retention and
 * the agent's pause codes, {@code callflow.recordings.retention-interval}, {@code pause-code}, {@code resume-code},
 * are read by the flow module.)
 */
@ConfigurationProperties("callflow.recordings")
public record RecordingsProperties(
        String encryptionKey,
        @DefaultValue("1") String encryptionKeyId,
        Map<String, String> previousKeys) {
}
