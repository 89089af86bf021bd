package io.callflow.media;

import java.net.InetSocketAddress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;

/**
 * SRTP at the edge of a leg's pipeline, next to the socket: datagrams in are authenticated and decrypted before the RTP
 * decoder (so latching, DTMF, recording and the relay see plain RTP and a forged packet never latches), datagrams out
 * are encrypted after the RTP encoder. A leg without SRTP passes everything through. A packet that fails
 * authentication or is a replay is dropped and counted ({@code srtp-auth}).
 */
final class SrtpHandler extends ChannelDuplexHandler {

    private final RtpLeg leg;
    private final RtpDrops drops;

    SrtpHandler(RtpLeg leg, RtpDrops drops) {
        this.leg = leg;
        this.drops = drops;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        LegSrtp srtp = leg.srtp;
        if (srtp == null || !(msg instanceof DatagramPacket datagram)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            ByteBuf in = datagram.content();
            byte[] plain = srtp.inbound.unprotect(ByteBufUtil.getBytes(in), in.readableBytes());
            if (plain == null) {
                drops.count(RtpDrops.Reason.SRTP_AUTH);
                return;
            }
            ctx.fireChannelRead(new DatagramPacket(ctx.alloc().buffer(plain.length).writeBytes(plain),
                    datagram.recipient(), datagram.sender()));
        } finally {
            datagram.release();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        LegSrtp srtp = leg.srtp;
        if (srtp == null) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf plain = msg instanceof DatagramPacket datagram ? datagram.content() : (ByteBuf) msg;
        InetSocketAddress recipient = msg instanceof DatagramPacket datagram ? datagram.recipient() : null;
        byte[] protectedPacket;
        try {
            protectedPacket = srtp.outbound.protect(ByteBufUtil.getBytes(plain), plain.readableBytes());
        } finally {
            plain.release();
        }
        if (protectedPacket == null) {
            promise.trySuccess();
            return;
        }
        ByteBuf out = ctx.alloc().directBuffer(protectedPacket.length).writeBytes(protectedPacket);
        ctx.write(recipient == null ? out : new DatagramPacket(out, recipient), promise);
    }
}
