package io.callflow.media;

import java.io.InputStream;

/** A recording opened for reading: its WAV bytes (decrypted as they are read, when encrypted) and their length. */
public record RecordingContent(long length, boolean encrypted, InputStream stream) {
}
