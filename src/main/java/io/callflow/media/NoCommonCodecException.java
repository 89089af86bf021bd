package io.callflow.media;

/** The remote SDP offers no codec Callflow supports; the SIP layer answers 488 Not Acceptable Here. */
public class NoCommonCodecException extends Exception {

    public NoCommonCodecException(String message) {
        super(message);
    }
}
