package io.callflow.media;

import java.net.SocketAddress;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageEncoder;

/**
 * {@link RtpPacket}s to datagrams: the 12-byte fixed header of RFC 3550 section 5.1 (no CSRCs) and the payload; to
 * the peer a connected socket is connected to, without an address, so the kernel uses the connection's cached route.
 */
@Sharable
final class RtpEncoder extends MessageToMessageEncoder<RtpPacket> {

    @Override
    protected void encode(ChannelHandlerContext ctx, RtpPacket packet, List<Object> out) {
        ByteBuf payload = packet.payload();
        try {
            ByteBuf datagram = ctx.alloc().directBuffer(RtpDecoder.HEADER + payload.readableBytes());
            datagram.writeByte(0x80);
            datagram.writeByte((packet.marker() ? 0x80 : 0) | packet.payloadType());
            datagram.writeShort(packet.sequence());
            datagram.writeInt((int) packet.timestamp());
            datagram.writeInt(packet.ssrc());
            datagram.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
            SocketAddress connected = ctx.channel().remoteAddress();
            out.add(connected != null && connected.equals(packet.address()) ? datagram
                    : new DatagramPacket(datagram, packet.address()));
        } finally {
            payload.release();
        }
    }
}
