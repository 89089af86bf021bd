package io.callflow.sip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * A hand-driven SIP peer over UDP for the parser tests: sends a raw message from {@code src/test/resources/sip/}
 * (placeholders filled in, Content-Length computed) and waits for the final answer to it; also records what
 * Callflow logs meanwhile, so a test can require that a peer's message never produced an ERROR.
 */
final class SipProbe implements AutoCloseable {

    private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3}) ");
    private final DatagramSocket udp;
    private final int sipPort;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger callflowLog = (Logger) LoggerFactory.getLogger("io.callflow");

    SipProbe(int sipPort) throws IOException {
        this.sipPort = sipPort;
        this.udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        logged.start();
        callflowLog.addAppender(logged);
    }

    int localPort() {
        return udp.getLocalPort();
    }

    /** The message in the file, with a fresh Call-ID and branch, CRLF line ends and its Content-Length. */
    String message(String file, Map<String, String> values) {
        Map<String, String> all = new HashMap<>(values);
        String id = UUID.randomUUID().toString();
        all.putIfAbsent("localPort", String.valueOf(localPort()));
        all.putIfAbsent("port", String.valueOf(sipPort));
        all.putIfAbsent("branch", id.substring(0, 13));
        all.putIfAbsent("callId", "-" + id);
        String text = RawSip.text(file, all);
        int bodyStart = text.indexOf("\r\n\r\n");
        int bodyLength = bodyStart < 0 ? 0 : text.substring(bodyStart + 4).getBytes(StandardCharsets.UTF_8).length;
        return text.replace("${contentLength}", String.valueOf(bodyLength));
    }

    /** Sends the datagram and returns the first final response (provisional ones skipped), or null after the wait. */
    String exchange(String message, int waitMillis) throws IOException {
        send(message.getBytes(StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + waitMillis;
        byte[] buffer = new byte[65535];
        while (System.currentTimeMillis() < deadline) {
            udp.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (SocketTimeoutException e) {
                return null;
            }
            String response = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            int status = status(response);
            if (status >= 200) {
                return response;
            }
        }
        return null;
    }

    void send(byte[] datagram) throws IOException {
        udp.send(new DatagramPacket(datagram, datagram.length, InetAddress.getByName("127.0.0.1"), sipPort));
    }

    /** Reads and discards whatever has arrived, waiting at most {@code waitMillis} for each datagram. */
    int drain(int waitMillis) throws IOException {
        int count = 0;
        byte[] buffer = new byte[65535];
        udp.setSoTimeout(waitMillis);
        while (true) {
            try {
                udp.receive(new DatagramPacket(buffer, buffer.length));
                count++;
            } catch (SocketTimeoutException e) {
                return count;
            }
        }
    }

    static int status(String response) {
        if (response == null) {
            return -1;
        }
        Matcher m = STATUS.matcher(response);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** ACK for a non-2xx final answer to an INVITE (RFC 3261 section 17.1.1.3), so its transaction ends early. */
    void ack(String invite, String response) throws IOException {
        String to = header(response, "To");
        String requestLine = invite.substring(0, invite.indexOf("\r\n"));
        String uri = requestLine.split(" ")[1];
        String ack = "ACK " + uri + " SIP/2.0\r\n" + header(invite, "Via") + "\r\n" + "Max-Forwards: 70\r\n"
                + header(invite, "From") + "\r\n" + to + "\r\n" + header(invite, "Call-ID") + "\r\n"
                + header(invite, "CSeq").replace("INVITE", "ACK") + "\r\nContent-Length: 0\r\n\r\n";
        send(ack.getBytes(StandardCharsets.UTF_8));
    }

    static String header(String message, String name) {
        Matcher m = Pattern.compile("(?mi)^" + Pattern.quote(name) + "\\s*:.*$").matcher(message);
        if (!m.find()) {
            throw new IllegalArgumentException("no " + name + " in " + message);
        }
        return m.group().trim();
    }

    List<ILoggingEvent> logged(Level level) {
        return logged.list.stream().filter(e -> e.getLevel().equals(level)).toList();
    }

    List<String> errors() {
        return logged(Level.ERROR).stream().map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
    }

    @Override
    public void close() {
        callflowLog.detachAppender(logged);
        udp.close();
    }
}
