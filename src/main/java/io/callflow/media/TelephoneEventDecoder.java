package io.callflow.media;

import java.util.List;
import java.util.function.IntSupplier;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

/**
 * Turns a leg's RFC 4733 telephone-event packets into one {@link DtmfDigit} per key press and passes audio packets
 * on. A key is reported at its end packet (E bit); the end packet is sent three times (RFC 4733 section 2.5.1.4) with
 * the event's unchanged timestamp, so the timestamp identifies the event and the copies count once. Stateful: one
 * instance per leg.
 */
final class TelephoneEventDecoder extends MessageToMessageDecoder<RtpPacket> {

    private final IntSupplier payloadType;
    private final RtpDrops drops;
    private long lastEndedTimestamp = -1;

    /** {@code payloadType} is read per packet, because a re-INVITE may renegotiate it. */
    TelephoneEventDecoder(IntSupplier payloadType, RtpDrops drops) {
        this.payloadType = payloadType;
        this.drops = drops;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, RtpPacket packet, List<Object> out) {
        if (packet.payloadType() != payloadType.getAsInt()) {
            out.add(packet);
            return;
        }
        try {
            TelephoneEvent event = TelephoneEvent.decode(packet.payload());
            if (event == null) {
                drops.count(RtpDrops.Reason.BAD_EVENT);
                return;
            }
            if (event.end() && event.isDtmf() && packet.timestamp() != lastEndedTimestamp) {
                lastEndedTimestamp = packet.timestamp();
                out.add(new DtmfDigit(event.digit(), false));
            }
        } finally {
            packet.payload().release();
        }
    }
}
