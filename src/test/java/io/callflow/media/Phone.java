package io.callflow.media;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A minimal RTP phone on loopback for tests: sends packets, receives and parses what comes back. */
final class Phone implements AutoCloseable {

    /** A received RTP packet. */
    record Packet(boolean marker, int payloadType, int sequence, long timestamp, int ssrc, byte[] payload) {

        short[] samples() {
            short[] s = new short[payload.length];
            for (int i = 0; i < payload.length; i++) {
                s[i] = G711.decode(payloadType, payload[i]);
            }
            return s;
        }
    }

    final DatagramSocket socket;
    final int ssrc = 0x5eed0000 + (int) (Math.random() * 1000);
    private int sequence = 1;
    private long timestamp = 8000;
    InetSocketAddress target;

    Phone() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setReceiveBufferSize(1 << 20);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** An SDP offer or answer for this phone with the given payload types and rtpmap lines. */
    String sdp(String formats, String... attributes) {
        return sdpFor(port(), formats, attributes);
    }

    static String sdpFor(int port, String formats, String... attributes) {
        return "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + port
                + " RTP/AVP " + formats + "\r\n" + String.join("\r\n", attributes) + (attributes.length > 0 ? "\r\n" : "");
    }

    /** Where our RTP goes: the port in the leg's SDP. */
    Phone sendingTo(String localSdp) {
        int port = Sdp.parse(localSdp).port();
        target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        return this;
    }

    void sendAudio(int payloadType, short[] samples) throws IOException {
        byte[] payload = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            payload[i] = G711.encode(payloadType, samples[i]);
        }
        send(false, payloadType, timestamp, payload);
        timestamp += samples.length;
    }

    /** An RFC 4733 key press: start, an update, and the end packet three times, all with one timestamp. */
    void pressKey(int payloadType, char key) throws IOException {
        int event = TelephoneEvent.eventOf(key);
        send(true, payloadType, timestamp, new byte[] {(byte) event, 10, 0, (byte) 160});
        send(false, payloadType, timestamp, new byte[] {(byte) event, 10, 1, 64});
        for (int i = 0; i < 3; i++) {
            send(false, payloadType, timestamp, new byte[] {(byte) event, (byte) 0x8a, 3, 32});
        }
        timestamp += 800;
    }

    void send(boolean marker, int payloadType, long ts, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12 + payload.length);
        b.put((byte) 0x80).put((byte) ((marker ? 0x80 : 0) | payloadType)).putShort((short) sequence++)
                .putInt((int) ts).putInt(ssrc).put(payload);
        sendRaw(b.array());
    }

    void sendRaw(byte[] datagram) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, target));
    }

    /** The next packet, or null after {@code millis} of silence. */
    Packet receive(int millis) throws IOException {
        byte[] buffer = new byte[2048];
        DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
        socket.setSoTimeout(millis);
        try {
            socket.receive(datagram);
        } catch (SocketTimeoutException e) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(buffer, 0, datagram.getLength());
        int first = b.get() & 0xff;
        int second = b.get() & 0xff;
        int seq = b.getShort() & 0xffff;
        long ts = b.getInt() & 0xffffffffL;
        int ssrc = b.getInt();
        byte[] payload = new byte[datagram.getLength() - 12 - 4 * (first & 0x0f)];
        b.position(12 + 4 * (first & 0x0f));
        b.get(payload);
        return new Packet((second & 0x80) != 0, second & 0x7f, seq, ts, ssrc, payload);
    }

    /** Everything that arrives until {@code millis} pass without a packet. */
    List<Packet> receiveAll(int millis) throws IOException {
        List<Packet> packets = new ArrayList<>();
        for (Packet p = receive(millis); p != null; p = receive(millis)) {
            packets.add(p);
        }
        return packets;
    }

    void drain() throws IOException {
        socket.setSoTimeout(1);
        try {
            while (true) {
                socket.receive(new DatagramPacket(new byte[2048], 2048));
            }
        } catch (SocketTimeoutException e) {
            // nothing more queued
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
