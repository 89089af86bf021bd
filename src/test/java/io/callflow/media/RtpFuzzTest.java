package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.callflow.call.CallId;
import io.callflow.call.LegId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;

/**
 * Coverage-guided fuzzing of a leg's receive pipeline as the media engine builds it: {@link RtpDecoder} (RFC 3550
 * section 5.1 fixed header, CSRCs, header extension, padding), {@link SymmetricRtpFilter} (payload types, latching to
 * the first source) and {@link TelephoneEventDecoder} (RFC 4733 key presses), fed a sequence of datagrams from two
 * sources. Each input is a list of records: a source byte (bit 0: which peer), a length byte, that many bytes.
 * <p>
 * The contract, per datagram: no exception, its buffer released whatever happens to it; what comes out is either a
 * packet whose header fields and payload are exactly what an independent reading of RFC 3550 finds in the datagram
 * (so a packet that announces more header than it carries is dropped, not passed on), of a payload type the leg takes,
 * from the latched source, or one DTMF key per RFC 4733 end event. RTCP (RFC 3550 section 6; RTP payload types 72-76
 * with the marker bit, RFC 5761 section 4), which an rtcp-mux peer sends to the RTP port, never reaches the leg:
 * Callflow reads no RTCP.
 */
class RtpFuzzTest {

    private static final InetSocketAddress[] PEERS = {new InetSocketAddress("192.0.2.10", 4000),
        new InetSocketAddress("198.51.100.20", 5000)};
    private static final InetSocketAddress US = new InetSocketAddress("127.0.0.1", 34000);
    private static final String KEYS = "0123456789*#ABCD";

    @FuzzTest(maxDuration = "10s")
    void datagramsDecodeOrAreDropped(byte[] input) {
        RtpDrops drops = new RtpDrops(new SimpleMeterRegistry());
        RtpLeg leg = new RtpLeg(new CallId("fuzz"), new LegId("fuzz-leg"), US.getPort(), true);
        EmbeddedChannel channel = new EmbeddedChannel(new RtpDecoder(drops), new SymmetricRtpFilter(leg, drops,
                () -> 1L), new TelephoneEventDecoder(() -> leg.telephoneEvent, drops));
        try {
            InetSocketAddress latched = null;
            for (int at = 0; at + 2 <= input.length; ) {
                InetSocketAddress source = PEERS[input[at] & 1];
                int length = Math.min(input[at + 1] & 0xff, input.length - at - 2);
                byte[] datagram = Arrays.copyOfRange(input, at + 2, at + 2 + length);
                at += 2 + length;
                // Not wrappedBuffer: for an empty datagram it is the shared EMPTY_BUFFER, whose count never drops.
                ByteBuf content = Unpooled.buffer(datagram.length + 1).writeBytes(datagram);
                channel.writeInbound(new DatagramPacket(content, US, source));
                boolean rtcp = datagram.length >= 2 && (datagram[0] & 0xc0) == 0x80
                        && (datagram[1] & 0xff) >= 200 && (datagram[1] & 0xff) <= 204;
                for (Object out; (out = channel.readInbound()) != null; ) {
                    assertThat(rtcp).as("RTCP reaches the leg as %s", out).isFalse();
                    if (out instanceof DtmfDigit digit) {
                        assertThat(KEYS).contains(String.valueOf(digit.digit()));
                        assertThat(payloadType(datagram)).isEqualTo(leg.telephoneEvent);
                    } else {
                        RtpPacket packet = (RtpPacket) out;
                        try {
                            assertDecodedAsRfc3550Reads(datagram, packet);
                        } finally {
                            packet.payload().release();
                        }
                        assertThat(packet.payloadType()).isIn(leg.codec, Sdp.PCMU, Sdp.PCMA);
                    }
                    latched = latched == null ? source : latched;
                    assertThat(source).as("only the latched source is heard").isEqualTo(latched);
                }
                assertThat(content.refCnt()).as("the datagram's buffer is released").isZero();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** The packet holds the header fields and exactly the payload an independent reading of the datagram finds. */
    private static void assertDecodedAsRfc3550Reads(byte[] datagram, RtpPacket packet) {
        assertThat(datagram.length).isGreaterThanOrEqualTo(12);
        assertThat(datagram[0] & 0xc0).as("version 2").isEqualTo(0x80);
        int header = 12 + 4 * (datagram[0] & 0x0f);
        if ((datagram[0] & 0x10) != 0) {
            // RFC 3550 section 5.3.1: a 4-byte extension header, then its length in 32-bit words.
            assertThat(datagram.length).as("extension header present").isGreaterThanOrEqualTo(header + 4);
            header += 4 + 4 * (((datagram[header + 2] & 0xff) << 8) | (datagram[header + 3] & 0xff));
        }
        int padding = (datagram[0] & 0x20) != 0 ? datagram[datagram.length - 1] & 0xff : 0;
        assertThat(datagram.length).as("header and padding fit").isGreaterThanOrEqualTo(header + padding);
        assertThat(packet.marker()).isEqualTo((datagram[1] & 0x80) != 0);
        assertThat(packet.payloadType()).isEqualTo(payloadType(datagram));
        assertThat(packet.sequence()).isEqualTo(((datagram[2] & 0xff) << 8) | (datagram[3] & 0xff));
        assertThat(packet.timestamp()).isEqualTo(ByteBuffer.wrap(datagram, 4, 4).getInt() & 0xffffffffL);
        assertThat(packet.ssrc()).isEqualTo(ByteBuffer.wrap(datagram, 8, 4).getInt());
        assertThat(ByteBufUtil.getBytes(packet.payload()))
                .isEqualTo(Arrays.copyOfRange(datagram, header, datagram.length - padding));
    }

    private static int payloadType(byte[] datagram) {
        return datagram[1] & 0x7f;
    }
}
