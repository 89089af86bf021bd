package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Inbound SIP-over-TCP connections are bounded (callflow.sip.tcp.*, here with tiny limits and short timeouts): a
 * source over its limit, or anyone over the node's limit, is closed at once and counted while the connections
 * already open (a registered phone among them) are served; threads and file descriptors do not grow with the
 * connections and are back where they were once the clients are gone; a silent new connection, an idle one and a
 * message dribbled in byte by byte (slowloris) are each closed after their timeout. Only 127.0.0.1 is a trunk (never
 * refused); the peers here connect from other loopback addresses, which Linux answers on the whole of 127.0.0.0/8.
 */
@SpringBootTest
@ActiveProfiles("test")
class TcpConnectionBoundsTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, sipUser: "1001", password: alice-1001 }
                    """);
    static final int SIP_PORT = freePort();
    static final int PER_SOURCE = 5;
    static final int TOTAL = 20;
    static final Duration MESSAGE_TIMEOUT = Duration.ofSeconds(1);
    static final Duration FIRST_MESSAGE_TIMEOUT = Duration.ofMillis(2500);
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(4);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 29000, 29099);
        registry.add("callflow.sip.trunks[0].name", () -> "local");
        registry.add("callflow.sip.trunks[0].cidrs[0]", () -> "127.0.0.1/32");
        registry.add("callflow.sip.tcp.max-connections", () -> TOTAL);
        registry.add("callflow.sip.tcp.max-connections-per-source", () -> PER_SOURCE);
        registry.add("callflow.sip.tcp.message-timeout", () -> MESSAGE_TIMEOUT.toMillis() + "ms");
        registry.add("callflow.sip.tcp.idle-timeout", () -> IDLE_TIMEOUT.toMillis() + "ms");
        registry.add("callflow.sip.tcp.first-message-timeout", () -> FIRST_MESSAGE_TIMEOUT.toMillis() + "ms");
    }

    @Autowired MeterRegistry meters;

    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void closeClients() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
        clients.clear();
    }

    @Test
    void connectionsOverTheLimitsAreClosedAtOnceAndAPhoneStillRegisters() throws Exception {
        // The first registration starts threads of its own (registrar, stack pools); they are not the flood's.
        try (Socket warmUp = connect("127.0.0.8")) {
            assertThat(register(warmUp)).startsWith("SIP/2.0 200 ");
        }
        awaitNoConnections();
        long fdsBefore = openFileDescriptors();
        int threadsBefore = liveThreads();
        double perSourceBefore = refused("per-source");
        double totalBefore = refused("total");

        Socket phone = connect("127.0.0.9");
        List<Socket> flood = new ArrayList<>();
        for (int i = 0; i < 2 * PER_SOURCE; i++) {
            flood.add(connectOrReset("127.0.0.2"));
        }
        for (int source = 3; source <= 6; source++) {
            for (int i = 0; i < PER_SOURCE; i++) {
                flood.add(connectOrReset("127.0.0." + source));
            }
        }
        // The server has refused the excess once both counters say so.
        await().atMost(Duration.ofSeconds(5)).until(() -> refused("per-source") - perSourceBefore == PER_SOURCE
                && refused("total") - totalBefore == 6);

        // The phone and 5 from 127.0.0.2 are in; 5 more from 127.0.0.2 are over its limit; of the 20 from
        // 127.0.0.3-6, the first 14 fill the node's limit of 20 and the other 6 are over it.
        List<Boolean> closed = new ArrayList<>();
        for (Socket client : flood) {
            closed.add(closedByServer(client));
        }
        assertThat(closed.subList(0, PER_SOURCE)).as("127.0.0.2 within its limit").containsOnly(false);
        assertThat(closed.subList(PER_SOURCE, 2 * PER_SOURCE)).as("127.0.0.2 over its limit").containsOnly(true);
        assertThat(closed.subList(2 * PER_SOURCE, 2 * PER_SOURCE + TOTAL - 1 - PER_SOURCE))
                .as("others within the node's limit").containsOnly(false);
        assertThat(closed.subList(2 * PER_SOURCE + TOTAL - 1 - PER_SOURCE, closed.size()))
                .as("others over the node's limit").containsOnly(true);
        assertThat(refused("per-source") - perSourceBefore).isEqualTo(PER_SOURCE);
        assertThat(refused("total") - totalBefore).isEqualTo(6);
        assertThat(liveThreads() - threadsBefore).as("threads while %d connections are open", TOTAL)
                .isLessThan(5);

        assertThat(register(phone)).as("REGISTER over the phone's connection during the flood")
                .startsWith("SIP/2.0 200 ");

        for (Socket client : flood) {
            client.close();
        }
        Socket newcomer = connect("127.0.0.10");
        assertThat(register(newcomer)).as("REGISTER over a new connection after the flood")
                .startsWith("SIP/2.0 200 ");
        phone.close();
        newcomer.close();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(openFileDescriptors() - fdsBefore).as("file descriptors").isLessThan(5);
            assertThat(liveThreads() - threadsBefore).as("threads").isLessThan(5);
        });
    }

    @Test
    void aSilentNewConnectionIsClosedAfterTheFirstMessageTimeout() throws Exception {
        Socket silent = connect("127.0.0.11");
        long opened = System.nanoTime();

        assertClosedWithin(silent, FIRST_MESSAGE_TIMEOUT.plusSeconds(2));
        assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(FIRST_MESSAGE_TIMEOUT);
    }

    @Test
    void aConnectionIdleAfterItsRequestIsClosedAfterTheIdleTimeout() throws Exception {
        Socket idle = connect("127.0.0.12");
        send(idle, HostileSipMessagesTest.options("OPTIONS", idle.getLocalPort(), "tcp"));
        long sent = System.nanoTime();
        assertThat(readMessage(idle)).startsWith("SIP/2.0 200 ");

        assertClosedWithin(idle, IDLE_TIMEOUT.plusSeconds(2));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(IDLE_TIMEOUT);
    }

    @Test
    void aMessageDribbledByteByByteIsCutOffAfterTheMessageTimeout() throws Exception {
        Socket slow = connect("127.0.0.13");
        byte[] request = HostileSipMessagesTest.bytes(HostileSipMessagesTest.options("OPTIONS", slow.getLocalPort(),
                "tcp"));
        long started = System.nanoTime();
        int sent = 0;
        // A byte every 100 ms keeps the connection far from idle; the whole request would take about 30 s.
        try {
            while (sent < request.length && System.nanoTime() - started < Duration.ofSeconds(5).toNanos()) {
                slow.getOutputStream().write(request[sent++]);
                slow.getOutputStream().flush();
                Thread.sleep(100);
            }
        } catch (SocketException closed) {
            // the server cut it off while we were still sending
        }
        assertClosedWithin(slow, Duration.ofSeconds(1));
        Duration lasted = Duration.ofNanos(System.nanoTime() - started);
        assertThat(lasted).as("cut off by the message timeout, before the first-message timeout")
                .isBetween(MESSAGE_TIMEOUT, FIRST_MESSAGE_TIMEOUT);
        assertThat(sent).isLessThan(request.length);
    }

    @Test
    void aPartialMessageAfterAnAnsweredOneIsCutOffAfterTheMessageTimeout() throws Exception {
        Socket partial = connect("127.0.0.14");
        String options = HostileSipMessagesTest.options("OPTIONS", partial.getLocalPort(), "tcp");
        send(partial, options);
        assertThat(readMessage(partial)).startsWith("SIP/2.0 200 ");
        send(partial, options.substring(0, options.length() / 2));
        long started = System.nanoTime();

        assertClosedWithin(partial, IDLE_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("before the idle timeout")
                .isBetween(MESSAGE_TIMEOUT, IDLE_TIMEOUT);
    }

    // ---- helpers ----

    private Socket connect(String from) throws IOException {
        Socket socket = new Socket();
        clients.add(socket);
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), SIP_PORT), 2000);
        return socket;
    }

    /**
     * Connects; a connection the server resets at once (over a limit; on a loaded machine the reset can come before
     * connect returns) is returned as it is, which {@link #closedByServer} reports as closed.
     */
    private Socket connectOrReset(String from) throws IOException {
        try {
            return connect(from);
        } catch (SocketException reset) {
            return clients.get(clients.size() - 1);
        }
    }

    /** Whether the server has closed (or reset) the connection, looking for at most a few milliseconds. */
    private static boolean closedByServer(Socket socket) throws IOException {
        socket.setSoTimeout(5);
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static void assertClosedWithin(Socket socket, Duration limit) throws IOException {
        socket.setSoTimeout((int) limit.toMillis());
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // the server has nothing to say; only the close matters
            }
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("the server did not close the connection within " + limit, stillOpen);
        } catch (SocketException reset) {
            // closed by the server with a reset
        }
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** One SIP message without a body (all Callflow sends here), read up to its empty line. */
    private static String readMessage(Socket socket) throws IOException {
        socket.setSoTimeout(5000);
        StringBuilder text = new StringBuilder();
        InputStream in = socket.getInputStream();
        while (text.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            text.append((char) b);
        }
        return text.toString();
    }

    /** Registers alice's phone (1001) over this connection with digest authentication; returns the final answer. */
    private static String register(Socket socket) throws Exception {
        String callId = UUID.randomUUID().toString();
        send(socket, registerRequest(socket, callId, 1, null));
        String challenge = readMessage(socket);
        assertThat(challenge).startsWith("SIP/2.0 401 ");
        Matcher nonce = Pattern.compile("nonce=\"([^\"]+)\"").matcher(challenge);
        assertThat(nonce.find()).isTrue();
        String ha1 = md5("1001:callflow.local:alice-1001");
        String ha2 = md5("REGISTER:sip:callflow.local");
        String response = md5(ha1 + ":" + nonce.group(1) + ":00000001:0a4f113b:auth:" + ha2);
        send(socket, registerRequest(socket, callId, 2, "Authorization: Digest username=\"1001\",realm=\"callflow.local\","
                + "nonce=\"" + nonce.group(1) + "\",uri=\"sip:callflow.local\",response=\"" + response
                + "\",algorithm=MD5,cnonce=\"0a4f113b\",qop=auth,nc=00000001\r\n"));
        return readMessage(socket);
    }

    private static String registerRequest(Socket socket, String callId, int cseq, String authorization) {
        String local = socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
        return "REGISTER sip:callflow.local SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP " + local + ";branch=z9hG4bK" + UUID.randomUUID() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:1001@callflow.local>;tag=" + callId.substring(0, 8) + "\r\n"
                + "To: <sip:1001@callflow.local>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <sip:1001@" + local + ";transport=tcp>\r\n"
                + "Expires: 60\r\n"
                + (authorization == null ? "" : authorization)
                + "Content-Length: 0\r\n\r\n";
    }

    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private double refused(String reason) {
        return meters.get("callflow.sip.tcp.refused").tag("reason", reason).counter().count();
    }

    private void awaitNoConnections() {
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("callflow.sip.tcp.connections").gauge()
                .value() == 0);
    }

    private static long openFileDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static int freePort() {
        try {
            return Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
