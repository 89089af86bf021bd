package io.callflow.media;

/** A DTMF key detected on a leg, from RFC 4733 events or from tones in the audio (in-band). */
record DtmfDigit(char digit, boolean inBand) {
}
