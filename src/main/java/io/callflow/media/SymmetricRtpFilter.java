package io.callflow.media;

import java.util.function.LongSupplier;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramChannel;

/**
 * A leg's gate for incoming RTP: drops (and counts) payload types the leg does not know, latches to the source of
 * the first valid packet (symmetric RTP, RFC 4961: we send to where the remote really sends from, which behind a
 * NAT is not what its SDP says) and then drops packets from any other source. Notes when the leg last heard RTP,
 * for dead-media detection. One instance per leg.
 * <p>
 * With {@code connect}, latching also connects the leg's socket to that source: the kernel then drops other sources
 * itself (uncounted), reads no sender address per packet and sends without a route lookup per packet. Only for
 * transports whose connect keeps what is already queued (native epoll; the JDK's connect discards it).
 */
final class SymmetricRtpFilter extends ChannelInboundHandlerAdapter {

    private final RtpLeg leg;
    private final RtpDrops drops;
    private final LongSupplier nanoClock;
    private final boolean connect;

    SymmetricRtpFilter(RtpLeg leg, RtpDrops drops, LongSupplier nanoClock) {
        this(leg, drops, nanoClock, false);
    }

    SymmetricRtpFilter(RtpLeg leg, RtpDrops drops, LongSupplier nanoClock, boolean connect) {
        this.leg = leg;
        this.drops = drops;
        this.nanoClock = nanoClock;
        this.connect = connect;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RtpPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int type = packet.payloadType();
        if (type != leg.codec && type != leg.telephoneEvent && type != Sdp.PCMU && type != Sdp.PCMA) {
            drop(packet, RtpDrops.Reason.UNKNOWN_PAYLOAD_TYPE);
            return;
        }
        if (!leg.latched) {
            leg.remote = packet.address();
            leg.latched = true;
            // Still connected to an earlier source: the re-INVITE's disconnect is queued behind this packet.
            if (connect && ctx.channel() instanceof DatagramChannel channel && !channel.isConnected()) {
                channel.connect(packet.address()).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            }
        } else if (!packet.address().equals(leg.remote)) {
            drop(packet, RtpDrops.Reason.UNEXPECTED_SOURCE);
            return;
        }
        leg.lastReceivedNanos = nanoClock.getAsLong();
        ctx.fireChannelRead(packet);
    }

    private void drop(RtpPacket packet, RtpDrops.Reason reason) {
        packet.payload().release();
        drops.count(reason);
    }
}
