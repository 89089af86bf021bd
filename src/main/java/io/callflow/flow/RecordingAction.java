package io.callflow.flow;

/** What an operator can do with a call's recording. */
public enum RecordingAction {
    START, STOP, PAUSE, RESUME
}
