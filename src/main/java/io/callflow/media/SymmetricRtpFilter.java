package io.callflow.media;

import java.util.function.LongSupplier;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A leg's gate for incoming RTP: drops (and counts) payload types the leg does not know, latches to the source of
 * the first valid packet (symmetric RTP, RFC 4961: we send to where the remote really sends from, which behind a
 * NAT is not what its SDP says) and then drops packets from any other source. Notes when the leg last heard RTP,
 * for dead-media detection. One instance per leg.
 */
final class SymmetricRtpFilter extends ChannelInboundHandlerAdapter {

    private final RtpLeg leg;
    private final RtpDrops drops;
    private final LongSupplier nanoClock;

    SymmetricRtpFilter(RtpLeg leg, RtpDrops drops, LongSupplier nanoClock) {
        this.leg = leg;
        this.drops = drops;
        this.nanoClock = nanoClock;
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
