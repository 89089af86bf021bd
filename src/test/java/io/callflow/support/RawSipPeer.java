package io.callflow.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SIP user agent written by hand over one UDP socket on loopback, for what SIPp scenarios cannot send (a tel: or
 * urn: Request-URI, a tel: From) and for raw bytes. It places a call (INVITE, ACK, hold, BYE; the ACK of a non-2xx
 * final answer per RFC 3261 section 17.1.1.3), answers any request Callflow sends it with 200 (a BYE that ends a call
 * first), and counts the answers to messages no call waits for (the mutated ones) by status class.
 */
public final class RawSipPeer implements AutoCloseable {

    private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3})");
    private static final Pattern URI_IN_BRACKETS = Pattern.compile("<([^>]+)>");

    private final DatagramSocket socket;
    /** Where the SDP offer points: a socket nobody reads, so Callflow's RTP has somewhere to go. */
    private final DatagramSocket rtpSink;
    private final InetSocketAddress callflow;
    private final Map<String, BlockingQueue<String>> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> strayAnswers = new ConcurrentHashMap<>();
    private final LongAdder requestsAnswered = new LongAdder();
    private final Thread receiver;
    private volatile boolean open = true;

    public RawSipPeer(int sipPort) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(200);
        rtpSink = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        callflow = new InetSocketAddress(InetAddress.getLoopbackAddress(), sipPort);
        receiver = new Thread(this::receive, "raw-sip-peer");
        receiver.setDaemon(true);
        receiver.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Sends bytes as they are (a mutated message); whatever comes back is counted in {@link #strayAnswers()}. */
    public void send(byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, callflow));
    }

    /** Answers that arrived for no call of this peer, by status class ({@code 2xx}...) or {@code request:METHOD}. */
    public Map<String, Long> strayAnswers() {
        Map<String, Long> copy = new TreeMap<>();
        strayAnswers.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }

    /** Requests from Callflow (BYEs, OPTIONS) this peer answered with 200. */
    public long requestsAnswered() {
        return requestsAnswered.sum();
    }

    /**
     * Places one call and returns what became of it: {@code answered} (200, ACK, held, our BYE answered),
     * {@code answered-then-hung-up-by-callflow}, {@code rejected-<status>-<reason>}, or {@code no-final-answer}.
     */
    public String call(String requestUri, String from, String to, Duration hold) throws Exception {
        String callId = UUID.randomUUID() + "@127.0.0.1";
        String fromTag = from + ";tag=" + Long.toHexString(System.nanoTime());
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        calls.put(callId, inbox);
        try {
            String branch = branch();
            String sdp = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio "
                    + rtpSink.getLocalPort() + " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
                    + "a=rtpmap:101 telephone-event/8000\r\n";
            byte[] invite = request("INVITE", requestUri, branch, fromTag, to, callId, 1, sdp);
            send(invite);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(32);
            long interval = 500;
            boolean provisional = false;
            while (System.nanoTime() < deadline) {
                String message = inbox.poll(interval, TimeUnit.MILLISECONDS);
                if (message == null) {
                    if (!provisional) {
                        send(invite); // RFC 3261 section 17.1.1.2, Timer A
                        interval = Math.min(interval * 2, 4000);
                    }
                    continue;
                }
                int status = status(message);
                if (status < 0 || !header(message, "CSeq").endsWith("INVITE")) {
                    continue;
                }
                if (status < 200) {
                    provisional = true;
                    continue;
                }
                String toWithTag = header(message, "To");
                if (status >= 300) {
                    send(request("ACK", requestUri, branch, fromTag, toWithTag, callId, 1, null));
                    return "rejected-" + status + "-" + reason(message);
                }
                Matcher contact = URI_IN_BRACKETS.matcher(header(message, "Contact"));
                String target = contact.find() ? contact.group(1) : requestUri;
                send(request("ACK", target, branch(), fromTag, toWithTag, callId, 1, null));
                if (awaitBye(inbox, hold)) {
                    return "answered-then-hung-up-by-callflow";
                }
                return hangUp(inbox, target, fromTag, toWithTag, callId);
            }
            return "no-final-answer";
        } finally {
            calls.remove(callId);
        }
    }

    private boolean awaitBye(BlockingQueue<String> inbox, Duration hold) throws InterruptedException {
        long until = System.nanoTime() + hold.toNanos();
        for (long left = hold.toNanos(); left > 0; left = until - System.nanoTime()) {
            String message = inbox.poll(left, TimeUnit.NANOSECONDS);
            if (message != null && message.startsWith("BYE ")) {
                return true;
            }
        }
        return false;
    }

    private String hangUp(BlockingQueue<String> inbox, String target, String from, String to, String callId)
            throws Exception {
        byte[] bye = request("BYE", target, branch(), from, to, callId, 2, null);
        send(bye);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(32);
        long interval = 500;
        while (System.nanoTime() < deadline) {
            String message = inbox.poll(interval, TimeUnit.MILLISECONDS);
            if (message == null) {
                send(bye); // Timer E
                interval = Math.min(interval * 2, 4000);
            } else if (message.startsWith("BYE ")) {
                return "answered-then-hung-up-by-callflow";
            } else if (status(message) >= 200 && header(message, "CSeq").endsWith("BYE")) {
                return status(message) == 200 ? "answered" : "answered-bye-refused-" + status(message);
            }
        }
        return "answered-bye-unanswered";
    }

    private byte[] request(String method, String uri, String branch, String from, String to, String callId,
            int cseq, String body) {
        StringBuilder text = new StringBuilder().append(method).append(' ').append(uri).append(" SIP/2.0\r\n")
                .append("Via: SIP/2.0/UDP 127.0.0.1:").append(port()).append(";branch=").append(branch)
                .append(";rport\r\nMax-Forwards: 70\r\nFrom: ").append(from).append("\r\nTo: ").append(to)
                .append("\r\nCall-ID: ").append(callId).append("\r\nCSeq: ").append(cseq).append(' ')
                .append(method.equals("ACK") ? "ACK" : method).append("\r\nContact: <sip:raw@127.0.0.1:")
                .append(port()).append(">\r\n");
        if (body != null) {
            text.append("Content-Type: application/sdp\r\n");
        }
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        text.append("Content-Length: ").append(content.length).append("\r\n\r\n");
        byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] whole = new byte[head.length + content.length];
        System.arraycopy(head, 0, whole, 0, head.length);
        System.arraycopy(content, 0, whole, head.length, content.length);
        return whole;
    }

    private void receive() {
        byte[] buffer = new byte[65_535];
        while (open) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException idle) {
                continue;
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                continue;
            }
            String message = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            String callId = header(message, "Call-ID");
            BlockingQueue<String> inbox = calls.get(callId);
            int status = status(message);
            if (status < 0) {
                String method = message.substring(0, Math.max(0, message.indexOf(' ')));
                if (!method.equals("ACK")) {
                    answer(message, packet.getSocketAddress());
                }
                if (inbox == null) {
                    strayAnswers.computeIfAbsent("request:" + method, k -> new LongAdder()).increment();
                }
            } else if (inbox == null) {
                strayAnswers.computeIfAbsent(status / 100 + "xx", k -> new LongAdder()).increment();
            }
            if (inbox != null) {
                inbox.add(message);
            }
        }
    }

    /** 200 OK to a request from Callflow (a BYE, an OPTIONS), its Via, From, To, Call-ID and CSeq copied. */
    private void answer(String request, SocketAddress from) {
        StringBuilder text = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String line : headerLines(request)) {
            String name = line.substring(0, Math.max(0, line.indexOf(':'))).trim();
            if (List.of("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq").contains(name.toLowerCase())) {
                text.append(line).append("\r\n");
            }
        }
        text.append("Content-Length: 0\r\n\r\n");
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, from));
            requestsAnswered.increment();
        } catch (IOException gone) {
            // Closing down.
        }
    }

    private static List<String> headerLines(String message) {
        List<String> lines = new ArrayList<>();
        String[] all = message.split("\r\n");
        for (int i = 1; i < all.length && !all[i].isEmpty(); i++) {
            lines.add(all[i]);
        }
        return lines;
    }

    /** The value of the first header of that name (or its compact form), or "" when there is none. */
    private static String header(String message, String name) {
        String compact = switch (name) {
            case "Call-ID" -> "i";
            case "To" -> "t";
            case "Contact" -> "m";
            default -> name;
        };
        for (String line : headerLines(message)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String key = line.substring(0, colon).trim();
                if (key.equalsIgnoreCase(name) || key.equalsIgnoreCase(compact)) {
                    return line.substring(colon + 1).trim();
                }
            }
        }
        return "";
    }

    /** The reason phrase of a response in one word ({@code Service_Unavailable}). */
    private static String reason(String message) {
        String line = message.substring(0, Math.max(0, message.indexOf("\r\n")));
        return line.length() > 12 ? line.substring(12).trim().replaceAll("\\W+", "_") : "";
    }

    private static int status(String message) {
        Matcher matcher = STATUS.matcher(message);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    private static String branch() {
        return "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
    }

    @Override
    public void close() throws InterruptedException {
        open = false;
        socket.close();
        rtpSink.close();
        receiver.join(1000);
    }
}
