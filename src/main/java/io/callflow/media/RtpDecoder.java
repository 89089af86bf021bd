package io.callflow.media;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageDecoder;

/**
 * Datagrams to {@link RtpPacket}s: checks the fixed header (RFC 3550 section 5.1), skips CSRCs, a header extension
 * (section 5.3.1) and padding; a datagram that is too short or not version 2 is counted and dropped.
 */
@Sharable
final class RtpDecoder extends MessageToMessageDecoder<DatagramPacket> {

    static final int HEADER = 12;

    private final RtpDrops drops;

    RtpDecoder(RtpDrops drops) {
        this.drops = drops;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, DatagramPacket datagram, List<Object> out) {
        ByteBuf in = datagram.content();
        int start = in.readerIndex();
        int length = in.readableBytes();
        if (length < HEADER) {
            drops.count(RtpDrops.Reason.TOO_SHORT);
            return;
        }
        int first = in.getUnsignedByte(start);
        if (first >> 6 != 2) {
            drops.count(RtpDrops.Reason.BAD_VERSION);
            return;
        }
        int header = HEADER + 4 * (first & 0x0f);
        if ((first & 0x10) != 0) {
            // RFC 3550 section 5.3.1: the X bit announces a 4-byte extension header after the CSRCs, whose second
            // half is the extension's length in 32-bit words; a packet too short for it has no payload to trust.
            if (length < header + 4) {
                drops.count(RtpDrops.Reason.TOO_SHORT);
                return;
            }
            header += 4 + 4 * in.getUnsignedShort(start + header + 2);
        }
        int padding = (first & 0x20) != 0 ? in.getUnsignedByte(start + length - 1) : 0;
        int payloadLength = length - header - padding;
        if (payloadLength < 0) {
            drops.count(RtpDrops.Reason.TOO_SHORT);
            return;
        }
        int second = in.getUnsignedByte(start + 1);
        out.add(new RtpPacket(datagram.sender(), (second & 0x80) != 0, second & 0x7f,
                in.getUnsignedShort(start + 2), in.getUnsignedInt(start + 4), in.getInt(start + 8),
                in.retainedSlice(start + header, payloadLength)));
    }
}
