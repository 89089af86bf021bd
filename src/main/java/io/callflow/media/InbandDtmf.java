package io.callflow.media;

/**
 * When to look for DTMF tones in a caller leg's audio: never, only when its SDP offers no RFC 4733
 * telephone-event (the trunk can only send tones), or always.
 */
public enum InbandDtmf {
    OFF, AUTO, ON
}
