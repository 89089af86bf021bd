package io.callflow.media;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.stereotype.Component;

/**
 * The recording keys from {@code callflow.recordings.*}: the current one (new files, by its id) and the previous ones
 * (reading older files). A key that is not base64 of exactly 32 bytes stops the start-up with a message naming it.
 */
@Component
public class RecordingKeys {

    private final String currentId;
    private final SecretKey current;
    private final Map<String, SecretKey> all = new HashMap<>();

    public RecordingKeys(RecordingsProperties properties) {
        if (properties.previousKeys() != null) {
            properties.previousKeys().forEach((id, key) -> all.put(id, key(key,
                    "callflow.recordings.previous-keys." + id)));
        }
        if (properties.encryptionKey() == null || properties.encryptionKey().isBlank()) {
            currentId = null;
            current = null;
        } else {
            currentId = properties.encryptionKeyId();
            RecordingCipher.header(currentId, RecordingCipher.DEFAULT_CHUNK);
            current = key(properties.encryptionKey(), "callflow.recordings.encryption-key");
            all.put(currentId, current);
        }
    }

    /** Keys as given, for tests: {@code current} may be null (plain recordings). */
    static RecordingKeys of(String currentId, String base64Key) {
        return new RecordingKeys(new RecordingsProperties(base64Key, currentId, Map.of()));
    }

    /** Whether new recordings are encrypted. */
    public boolean encrypting() {
        return current != null;
    }

    String currentId() {
        return currentId;
    }

    SecretKey current() {
        return current;
    }

    Map<String, SecretKey> all() {
        return all;
    }

    private static SecretKey key(String base64, String property) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + " is not base64: " + e.getMessage());
        }
        if (bytes.length != 32) {
            throw new IllegalStateException(property + " must be 32 bytes (AES-256) in base64, not " + bytes.length
                    + " bytes; make one with: openssl rand -base64 32");
        }
        return new SecretKeySpec(bytes, "AES");
    }
}
