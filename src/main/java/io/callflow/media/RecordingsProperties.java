package io.callflow.media;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Recordings at rest: the AES-256 key new recordings are encrypted with (base64 of 32 bytes; none: plain WAV) and its
 * id written into each file's header, older keys by id for reading files written before a rotation, and how often
 * the retention job looks for expired recordings.
 */
@ConfigurationProperties("callflow.recordings")
public record RecordingsProperties(
        String encryptionKey,
        @DefaultValue("1") String encryptionKeyId,
        Map<String, String> previousKeys,
        @DefaultValue("1h") Duration retentionInterval) {
}
