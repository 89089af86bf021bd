package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;

import io.callflow.call.CallId;
import io.callflow.call.LegId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The RTP pipeline's codecs, pushed through Netty's EmbeddedChannel both ways. */
class RtpCodecTest {

    static final InetSocketAddress PHONE = new InetSocketAddress("127.0.0.1", 40000);
    static final InetSocketAddress US = new InetSocketAddress("127.0.0.1", 34000);

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RtpDrops drops = new RtpDrops(meters);
    EmbeddedChannel channel;

    @AfterEach
    void finish() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aPacketDecodesToItsHeaderFieldsAndPayload() {
        channel = new EmbeddedChannel(new RtpDecoder(drops));
        // V=2, M=1 PT=8, seq 0xe6fd, timestamp 0xf0, SSRC 0xdee0ee8f, then three payload bytes.
        channel.writeInbound(datagram("8088e6fd000000f0dee0ee8f" + "d5d5d4"));
        RtpPacket packet = channel.readInbound();
        assertThat(packet.marker()).isTrue();
        assertThat(packet.payloadType()).isEqualTo(8);
        assertThat(packet.sequence()).isEqualTo(0xe6fd);
        assertThat(packet.timestamp()).isEqualTo(0xf0);
        assertThat(packet.ssrc()).isEqualTo(0xdee0ee8f);
        assertThat(packet.address()).isEqualTo(PHONE);
        assertThat(ByteBufUtil.hexDump(packet.payload())).isEqualTo("d5d5d4");
        packet.payload().release();
    }

    @Test
    void csrcsAHeaderExtensionAndPaddingAreSkipped() {
        channel = new EmbeddedChannel(new RtpDecoder(drops));
        // CC=1 (one CSRC), X=1 (extension of one word), P=1 (two bytes of padding).
        channel.writeInbound(datagram("b100000100000002000000030000000a" + "bede0001" + "11223344" + "ab" + "0002"));
        RtpPacket packet = channel.readInbound();
        assertThat(ByteBufUtil.hexDump(packet.payload())).isEqualTo("ab");
        packet.payload().release();
    }

    @Test
    void packetsTooShortOrNotVersion2AreCountedAndDropped() {
        channel = new EmbeddedChannel(new RtpDecoder(drops));
        channel.writeInbound(datagram("80000001"));
        channel.writeInbound(datagram("80000001000000020000"));
        channel.writeInbound(datagram("400000010000000200000003ffff"));
        channel.writeInbound(datagram("83000001000000020000000311")); // three CSRCs announced, none there
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(dropped("too-short")).isEqualTo(3);
        assertThat(dropped("bad-version")).isEqualTo(1);
    }

    @Test
    void encodingWritesTheFixedHeaderAndIsDecodedBackUnchanged() {
        channel = new EmbeddedChannel(new RtpEncoder());
        channel.writeOutbound(new RtpPacket(PHONE, true, 0, 65535, 0xfffffff0L, 0x12345678,
                Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
        DatagramPacket datagram = channel.readOutbound();
        assertThat(datagram.recipient()).isEqualTo(PHONE);
        assertThat(ByteBufUtil.hexDump(datagram.content())).isEqualTo("8080fffffffffff012345678010203");

        EmbeddedChannel back = new EmbeddedChannel(new RtpDecoder(drops));
        back.writeInbound(new DatagramPacket(datagram.content(), US, PHONE));
        RtpPacket packet = back.readInbound();
        assertThat(packet.sequence()).isEqualTo(65535);
        assertThat(packet.timestamp()).isEqualTo(0xfffffff0L);
        assertThat(packet.ssrc()).isEqualTo(0x12345678);
        packet.payload().release();
        back.finishAndReleaseAll();
    }

    @Test
    void telephoneEventsRoundTrip() {
        TelephoneEvent event = new TelephoneEvent(11, true, 10, 1600);
        ByteBuf encoded = event.encode(io.netty.buffer.ByteBufAllocator.DEFAULT);
        assertThat(ByteBufUtil.hexDump(encoded)).isEqualTo("0b8a0640");
        assertThat(TelephoneEvent.decode(encoded)).isEqualTo(event);
        assertThat(event.digit()).isEqualTo('#');
        assertThat(TelephoneEvent.eventOf('*')).isEqualTo(10);
        encoded.release();
    }

    @Test
    void aKeyPressWithRetransmittedEndPacketsYieldsOneDigit() {
        channel = new EmbeddedChannel(new RtpDecoder(drops), new TelephoneEventDecoder(() -> 101, drops));
        // RFC 4733 section 2.5: start, updates, then the end packet three times, all with the event's timestamp.
        channel.writeInbound(datagram("80e50001000003e800000001" + "010a00a0"));
        channel.writeInbound(datagram("80650002000003e800000001" + "010a0140"));
        for (int seq = 3; seq <= 5; seq++) {
            channel.writeInbound(datagram("806500%02x000003e800000001".formatted(seq) + "018a0320"));
        }
        // The same key again: a new event, so a new timestamp.
        channel.writeInbound(datagram("80e50006000007d000000001" + "010a00a0"));
        channel.writeInbound(datagram("80650007000007d000000001" + "018a0320"));
        channel.writeInbound(datagram("80650008000007d000000001" + "018a0320"));
        assertThat((Object) channel.readInbound()).isEqualTo(new DtmfDigit('1', false));
        assertThat((Object) channel.readInbound()).isEqualTo(new DtmfDigit('1', false));
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void audioPassesTheEventDecoderAndShortEventsAreCounted() {
        channel = new EmbeddedChannel(new RtpDecoder(drops), new TelephoneEventDecoder(() -> 96, drops));
        channel.writeInbound(datagram("80000001000000a000000001ffff"));
        channel.writeInbound(datagram("80600002000000a000000001ff"));
        RtpPacket audio = channel.readInbound();
        assertThat(audio.payloadType()).isZero();
        audio.payload().release();
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(dropped("bad-event")).isEqualTo(1);
    }

    @Test
    void theLegLatchesToTheFirstSourceAndDropsOthersAndUnknownPayloadTypes() {
        RtpLeg leg = new RtpLeg(new CallId("c1"), new LegId("l1"), 34000, true);
        leg.remote = new InetSocketAddress("10.0.0.1", 5004); // what the SDP said, behind a NAT
        leg.codec = Sdp.PCMA;
        channel = new EmbeddedChannel(new RtpDecoder(drops), new SymmetricRtpFilter(leg, drops, () -> 42L));
        channel.writeInbound(datagram("80120001000000a000000001ff")); // PT 18 (G.729): not negotiated
        assertThat(leg.latched).isFalse();
        channel.writeInbound(datagram("80080001000000a000000001ff"));
        assertThat(leg.remote).isEqualTo(PHONE);
        assertThat(leg.lastReceivedNanos).isEqualTo(42L);
        InetSocketAddress stranger = new InetSocketAddress("127.0.0.1", 40002);
        channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(
                "80080002000000a000000001ff")), US, stranger));
        RtpPacket accepted = channel.readInbound();
        assertThat(accepted.sequence()).isEqualTo(1);
        accepted.payload().release();
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(leg.remote).isEqualTo(PHONE);
        assertThat(dropped("unknown-payload-type")).isEqualTo(1);
        assertThat(dropped("unexpected-source")).isEqualTo(1);
    }

    private DatagramPacket datagram(String hex) {
        return new DatagramPacket(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex)), US, PHONE);
    }

    private double dropped(String reason) {
        return meters.get("callflow.rtp.dropped").tag("reason", reason).counter().count();
    }
}
