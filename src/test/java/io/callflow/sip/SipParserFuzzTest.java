package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import io.callflow.media.SdpFuzzAccess;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A bounded fuzz of the SIP stack as Callflow runs it: a few thousand valid requests mutated with a fixed seed (byte
 * flips, truncations, duplicated headers, huge values, mutated SDP offers) sent over UDP. Afterwards nothing is held
 * (B2BUA calls and Call-IDs, the stack's dialogs and transactions, threads back to where they were once the RFC 3261
 * timers have run, at most 32 s) and the log holds no ERROR and a bounded number of WARN lines.
 */
class SipParserFuzzTest extends RunningCallflow {

    static final int MESSAGES = 3_000;
    static final long SEED = 4475;

    @Autowired SipHealthIndicator health;

    @Test
    void mutatedRequestsLeaveNothingBehindAndDoNotStormTheLog() throws Exception {
        Random random = new Random(SEED);
        var answers = new ConcurrentHashMap<Integer, AtomicInteger>();
        long started = System.nanoTime();
        try (SipProbe probe = new SipProbe(SIP_PORT);
                DatagramSocket receiver = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Thread reader = new Thread(() -> readAnswers(receiver, answers), "fuzz-answers");
            reader.setDaemon(true);
            reader.start();
            List<String> seeds = List.of(
                    probe.message("odd-via.txt", Map.of("method", "OPTIONS", "user", "probe", "viaTransport", "UDP",
                            "localPort", String.valueOf(receiver.getLocalPort()))),
                    probe.message("odd-via.txt", Map.of("method", "REGISTER", "user", "1001", "viaTransport", "UDP",
                            "localPort", String.valueOf(receiver.getLocalPort()))),
                    probe.message("invite-schemes.txt", Map.of("requestUri", "sip:999@127.0.0.1",
                            "from", "tel:+4930123456", "to", "sip:999@callflow.local",
                            "localPort", String.valueOf(receiver.getLocalPort()))));
            // Unmutated first: thread pools that start lazily (registrar, call lanes, the stack's) are started.
            for (String seed : seeds) {
                probe.exchange(seed.replaceFirst("(?m)^Call-ID: ", "Call-ID: warm-up-"), 3000);
            }
            var before = health.state();
            long threadsBefore = ownThreads();
            for (int i = 0; i < MESSAGES; i++) {
                String seed = seeds.get(i % seeds.size());
                // A fresh Call-ID and branch per message, so each is a new request rather than a retransmission.
                String fresh = seed.replace("z9hG4bK", "z9hG4bK" + i + "x").replaceFirst("(?m)^Call-ID: ",
                        "Call-ID: fuzz" + i + "-");
                byte[] datagram = random.nextInt(4) == 0 && seed.startsWith("INVITE")
                        ? SdpFuzzAccess.mutateBody(fresh, random).getBytes(StandardCharsets.UTF_8)
                        : mutate(fresh, random);
                // A UDP datagram holds at most 65,507 bytes; the stack's own limit is 64 KiB.
                probe.send(datagram.length > 60_000 ? Arrays.copyOf(datagram, 60_000) : datagram);
                if (i % 20 == 0) {
                    Thread.sleep(5);
                }
            }
            long sentMillis = (System.nanoTime() - started) / 1_000_000;
            // The stack's tables drain after RFC 3261's timers: 32 s for an unacknowledged INVITE answer (Timer H)
            // and for a UDP non-INVITE transaction (Timer J).
            await().atMost(Duration.ofSeconds(50)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                var now = health.state();
                assertThat(now.activeCalls()).isLessThanOrEqualTo(before.activeCalls());
                assertThat(now.sipCallIds()).isLessThanOrEqualTo(before.sipCallIds());
                assertThat(now.dialogs()).isLessThanOrEqualTo(before.dialogs());
                assertThat(now.serverTransactions()).isLessThanOrEqualTo(before.serverTransactions());
                assertThat(now.clientTransactions()).isLessThanOrEqualTo(before.clientTransactions());
                assertThat(ownThreads()).as(() -> "threads: " + Thread.getAllStackTraces().keySet().stream()
                        .map(Thread::getName).sorted().toList()).isLessThanOrEqualTo(threadsBefore + 2);
            });
            reader.interrupt();
            int warnings = probe.logged(Level.WARN).size();
            System.out.printf("SIP fuzz: %d messages sent in %d ms, %s answers by status, %d WARN lines, %d ERROR"
                    + " lines, drained after %d ms%n", MESSAGES, sentMillis, answers, warnings, probe.errors().size(),
                    (System.nanoTime() - started) / 1_000_000);
            assertThat(probe.errors()).as("ERROR lines").isEmpty();
            assertThat(warnings).as("WARN lines").isLessThan(50);
            assertThat(answers.keySet()).as("every answer a final 4xx, or 100/200 to a request still valid")
                    .allSatisfy(status -> assertThat(status).isIn(100, 200, 400, 401, 403, 404, 405, 415, 416, 420,
                            481, 488, 500, 501, 505, 513));
        }
    }

    /**
     * Live threads, less the call lanes (a fixed pool of 16 that starts a thread per concurrent call until full) and
     * the test's own: a thread per message or per connection would show here.
     */
    private static long ownThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> !name.startsWith("call-lane-") && !name.startsWith("awaitility")).count();
    }

    private static void readAnswers(DatagramSocket socket, Map<Integer, AtomicInteger> answers) {
        byte[] buffer = new byte[65535];
        try {
            socket.setSoTimeout(500);
            while (!Thread.currentThread().isInterrupted()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                int status = SipProbe.status(new String(packet.getData(), 0, packet.getLength(),
                        StandardCharsets.UTF_8));
                answers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
            }
        } catch (Exception closed) {
            // the socket closed at the end of the test
        }
    }

    /** One mutation of a request: byte flips, a truncation, a duplicated or dropped header, or a huge value. */
    static byte[] mutate(String message, Random random) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        String[] lines = message.split("\r\n", -1);
        String line = lines[1 + random.nextInt(Math.max(1, lines.length - 2))];
        String mutated = switch (random.nextInt(6)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                yield null;
            }
            case 1 -> message.substring(0, random.nextInt(message.length()));
            case 2 -> line.isEmpty() ? message : message.replace(line + "\r\n", line + "\r\n" + line + "\r\n");
            case 3 -> line.isEmpty() ? message : message.replace(line + "\r\n", "");
            case 4 -> line.isEmpty() ? message : message.replace(line, line + "x".repeat(1 + random.nextInt(30_000)));
            default -> message.replaceFirst("(?m)^(Max-Forwards|CSeq|Expires|Content-Length): ",
                    "$1: " + "9".repeat(1 + random.nextInt(40)));
        };
        return mutated == null ? bytes : mutated.getBytes(StandardCharsets.UTF_8);
    }
}
