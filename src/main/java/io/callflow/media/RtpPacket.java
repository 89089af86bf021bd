package io.callflow.media;

import java.net.InetSocketAddress;

import io.netty.buffer.ByteBuf;

/**
 * One RTP packet (RFC 3550 section 5.1) as the media pipeline handles it: the peer it came from (or goes to), the
 * header fields Callflow uses and the payload. The payload is a reference-counted buffer: whoever consumes the
 * packet releases it.
 */
record RtpPacket(InetSocketAddress address, boolean marker, int payloadType, int sequence, long timestamp, int ssrc,
        ByteBuf payload) {

    /** The same packet addressed to {@code recipient}. */
    RtpPacket to(InetSocketAddress recipient) {
        return new RtpPacket(recipient, marker, payloadType, sequence, timestamp, ssrc, payload);
    }
}
