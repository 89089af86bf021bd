package io.callflow.sip;

/**
 * Whether a peer's signalling must come over TLS: {@code REQUIRED} refuses (trunks) or does not use (agents' contacts)
 * any other transport; {@code OPTIONAL} and {@code OFF} accept every transport Callflow listens on.
 */
public enum TlsPolicy {
    REQUIRED, OPTIONAL, OFF
}
