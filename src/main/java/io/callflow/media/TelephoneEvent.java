package io.callflow.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The payload of an RFC 4733 named telephone event (section 2.3): event code, end bit, volume and duration in
 * timestamp units. Events 0-15 are the DTMF keys 0-9, *, #, A-D (section 3.2).
 */
record TelephoneEvent(int event, boolean end, int volume, int duration) {

    static final int LENGTH = 4;
    private static final String KEYS = "0123456789*#ABCD";

    /** The event at the payload's reader index, or null when the payload is shorter than four bytes. */
    static TelephoneEvent decode(ByteBuf payload) {
        if (payload.readableBytes() < LENGTH) {
            return null;
        }
        int at = payload.readerIndex();
        int flags = payload.getUnsignedByte(at + 1);
        return new TelephoneEvent(payload.getUnsignedByte(at), (flags & 0x80) != 0, flags & 0x3f,
                payload.getUnsignedShort(at + 2));
    }

    ByteBuf encode(ByteBufAllocator allocator) {
        return allocator.buffer(LENGTH).writeByte(event).writeByte((end ? 0x80 : 0) | (volume & 0x3f))
                .writeShort(duration);
    }

    boolean isDtmf() {
        return event < KEYS.length();
    }

    char digit() {
        return KEYS.charAt(event);
    }

    static int eventOf(char digit) {
        return KEYS.indexOf(Character.toUpperCase(digit));
    }
}
