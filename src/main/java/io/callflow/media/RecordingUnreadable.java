package io.callflow.media;

/** A recording that exists but cannot be read now: still being written (encrypted), cut short, or no key for it. */
public class RecordingUnreadable extends RuntimeException {

    public RecordingUnreadable(String message) {
        super(message);
    }
}
