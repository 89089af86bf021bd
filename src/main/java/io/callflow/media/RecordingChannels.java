package io.callflow.media;

/** How a call is recorded: caller and agent on separate channels, or mixed into one. */
public enum RecordingChannels {
    STEREO, MONO
}
