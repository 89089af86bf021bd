package io.callflow.call;

/** Why a leg ended, in terms the flow and the call record care about. */
public enum HangupCause {
    /** The remote party hung up (BYE). */
    REMOTE_HANGUP,
    /** We hung up on purpose. */
    LOCAL_HANGUP,
    /** The caller cancelled before the call was answered (CANCEL). */
    CANCELLED,
    /** No media arrived for too long. */
    MEDIA_TIMEOUT,
    /** The leg failed for a technical reason. */
    FAILURE
}
