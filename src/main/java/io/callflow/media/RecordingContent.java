package io.callflow.media;

import java.io.InputStream;

/** An encrypted recording opened for reading: its WAV bytes, decrypted as they are read, and their length. */
public record RecordingContent(long length, InputStream stream) {
}
