package io.callflow.media;

/**
 * Whether a leg's media is SRTP (RFC 3711, keys by SDES, RFC 4568): {@code REQUIRED} refuses plain RTP (488),
 * {@code OPTIONAL} uses SRTP when the other side offers or accepts it, {@code OFF} uses plain RTP only.
 */
public enum SrtpPolicy {
    REQUIRED, OPTIONAL, OFF
}
