package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile requests over UDP and TCP, written by hand: each gets the answer RFC 3261 asks for (or is
 * dropped when no answer can be formed) and the stack still answers OPTIONS afterwards.
 */
class HostileSipMessagesTest extends RunningCallflow {

    DatagramSocket udp;

    @BeforeEach
    void socket() throws IOException {
        udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void close() {
        udp.close();
    }

    @Test
    void garbageBytesAreDroppedAndTheStackStillAnswers() throws Exception {
        byte[] garbage = new byte[400];
        new Random(42).nextBytes(garbage);
        assertThat(udpExchange(garbage, 300)).isNull();
        assertStillAnswersOptions();
    }

    @Test
    void requestsWithoutCallIdCseqOrViaAreDropped() throws Exception {
        for (String header : new String[] {"Call-ID", "CSeq", "Via"}) {
            String request = options("OPTIONS", udp.getLocalPort(), "udp").replaceAll("(?m)^" + header + ":.*\r\n", "");
            assertThat(udpExchange(bytes(request), 300)).as("without " + header).isNull();
        }
        assertStillAnswersOptions();
    }

    @Test
    void aMalformedFromIsABadRequestWithTheReason() throws Exception {
        String request = options("OPTIONS", udp.getLocalPort(), "udp").replaceAll("(?m)^From:.*\r\n",
                "From: <sip:broken@;tag=x\r\n");
        String response = udpExchange(bytes(request), 2000);
        assertThat(response).startsWith("SIP/2.0 400 ").contains("Missing host name");
        assertStillAnswersOptions();
    }

    @Test
    void aBodyShorterThanItsContentLengthIsABadRequest() throws Exception {
        String request = options("OPTIONS", udp.getLocalPort(), "udp").replace("Content-Length: 0",
                "Content-Type: text/plain\r\nContent-Length: 500") + "only a few bytes";
        String response = udpExchange(bytes(request), 2000);
        assertThat(response).startsWith("SIP/2.0 400 ").contains("content length");
        assertStillAnswersOptions();
    }

    @Test
    void anUnknownMethodIsNotImplementedAndAKnownOneNotAllowed() throws Exception {
        String unknown = udpExchange(bytes(options("FROBNICATE", udp.getLocalPort(), "udp")), 2000);
        assertThat(unknown).startsWith("SIP/2.0 501 ").containsPattern("(?m)^Allow: .*REGISTER");
        String known = udpExchange(bytes(options("SUBSCRIBE", udp.getLocalPort(), "udp").replace("Max-Forwards: 70",
                "Max-Forwards: 70\r\nContact: <sip:probe@127.0.0.1:" + udp.getLocalPort() + ">\r\nEvent: presence")),
                2000);
        assertThat(known).startsWith("SIP/2.0 405 ").containsPattern("(?m)^Allow: .*INVITE");
    }

    @Test
    void aSubscribeWithoutContactIsABadRequestNotSilence() throws Exception {
        // Regression: the stack refused it a transaction and the listener dropped it without a word.
        String response = udpExchange(bytes(options("SUBSCRIBE", udp.getLocalPort(), "udp")), 2000);
        assertThat(response).startsWith("SIP/2.0 400 ").contains("Contact");
    }

    @Test
    void aHeaderThatCrashesTheStacksParserIsKeptUnparsedAndTheRequestAnswered() throws Exception {
        // Regression (found by SipMessageFuzzTest): JAIN-SIP's Subscription-State parser throws a NullPointerException
        // on "reason=" without a value, which escaped to the stack's reader thread and lost the datagram.
        String request = options("OPTIONS", udp.getLocalPort(), "udp").replace("Max-Forwards: 70",
                "Max-Forwards: 70\r\nSubscription-State: terminated;reason=");
        assertThat(udpExchange(bytes(request), 2000)).startsWith("SIP/2.0 200 ");
    }

    @Test
    void aViaWhoseRportIsNotAPortIsABadRequestWithTheReason() throws Exception {
        // Regression (found by SipMessageFuzzTest): every answer copies the Via, and the stack's copy failed with a
        // NumberFormatException on "rport=abc" (RFC 3581 section 3: empty in a request, or a port).
        String request = options("OPTIONS", udp.getLocalPort(), "udp").replaceFirst("(?m)^(Via: [^\r]*)",
                "$1;rport=z9hG4bK-abc");
        assertThat(request).contains(";rport=z9hG4bK-abc");
        assertThat(udpExchange(bytes(request), 2000)).startsWith("SIP/2.0 400 ").contains("rport is not a port");
        assertStillAnswersOptions();
    }

    @Test
    void aPacketWithoutCseqDoesNotFloodTheLog() throws Exception {
        // Regression: JAIN-SIP logged each such packet as an ERROR with its 64 KiB receive buffer written out as
        // numbers, some 200 KB per 300-byte datagram.
        String request = options("OPTIONS", udp.getLocalPort(), "udp").replaceAll("(?m)^CSeq:.*\r\n", "");
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.start();
        var stackLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.callflow.sip.stack");
        stackLog.addAppender(appender);
        try {
            for (int i = 0; i < 100; i++) {
                udp.send(new DatagramPacket(bytes(request), bytes(request).length, InetAddress.getByName("127.0.0.1"),
                        SIP_PORT));
            }
            assertStillAnswersOptions();
        } finally {
            stackLog.detachAppender(appender);
        }
        assertThat(appender.list).hasSizeLessThan(30)
                .allSatisfy(line -> assertThat(line.getFormattedMessage()).hasSizeLessThan(1000));
    }

    @Test
    void aHugeHeaderOverTcpIsRefusedAndOtherConnectionsAreServed() throws Exception {
        try (Socket tcp = new Socket("127.0.0.1", SIP_PORT)) {
            tcp.setSoTimeout(3000);
            String request = options("OPTIONS", tcp.getLocalPort(), "tcp").replace("Max-Forwards: 70",
                    "Max-Forwards: 70\r\nX-Padding: " + "a".repeat(100_000));
            tcp.getOutputStream().write(bytes(request));
            tcp.getOutputStream().flush();
            String answer = readAll(tcp.getInputStream());
            assertThat(answer).doesNotStartWith("SIP/2.0 200");
        }
        assertThat(tcpOptions()).startsWith("SIP/2.0 200 ");
    }

    @Test
    void garbageAndATooLongContentLengthOverTcpDoNotStopTheStack() throws Exception {
        try (Socket tcp = new Socket("127.0.0.1", SIP_PORT)) {
            tcp.setSoTimeout(500);
            OutputStream out = tcp.getOutputStream();
            byte[] garbage = new byte[2000];
            new Random(7).nextBytes(garbage);
            out.write(garbage);
            out.write(bytes(options("OPTIONS", tcp.getLocalPort(), "tcp").replace("Content-Length: 0",
                    "Content-Length: 100000")));
            out.flush();
            assertThat(readAll(tcp.getInputStream())).doesNotContain("SIP/2.0 200");
        }
        assertThat(tcpOptions()).startsWith("SIP/2.0 200 ");
        assertStillAnswersOptions();
    }

    private void assertStillAnswersOptions() throws Exception {
        String response = udpExchange(bytes(options("OPTIONS", udp.getLocalPort(), "udp")), 3000);
        assertThat(response).as("OPTIONS after the hostile message").startsWith("SIP/2.0 200 ");
    }

    private String tcpOptions() throws Exception {
        try (Socket tcp = new Socket("127.0.0.1", SIP_PORT)) {
            tcp.setSoTimeout(3000);
            tcp.getOutputStream().write(bytes(options("OPTIONS", tcp.getLocalPort(), "tcp")));
            byte[] buffer = new byte[8192];
            int read = tcp.getInputStream().read(buffer);
            return read < 0 ? "" : new String(buffer, 0, read, StandardCharsets.UTF_8);
        }
    }

    /** Sends a datagram and returns the first answer, or null if none came within the wait. */
    String udpExchange(byte[] message, int waitMillis) throws IOException {
        return udpExchange(udp, message, waitMillis);
    }

    static String udpExchange(DatagramSocket socket, byte[] message, int waitMillis) throws IOException {
        socket.send(new DatagramPacket(message, message.length, InetAddress.getByName("127.0.0.1"), SIP_PORT));
        socket.setSoTimeout(waitMillis);
        byte[] buffer = new byte[65535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
            return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private static String readAll(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[8192];
        try {
            for (int read; (read = in.read(buffer)) > 0; ) {
                text.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            // nothing more came, or the stack closed the connection
        }
        return text.toString();
    }

    static String options(String method, int localPort, String transport) {
        String id = UUID.randomUUID().toString();
        return method + " sip:callflow@127.0.0.1:" + SIP_PORT + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport.toUpperCase() + " 127.0.0.1:" + localPort + ";branch=z9hG4bK" + id
                + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@127.0.0.1>;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <sip:callflow@127.0.0.1>\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
