package io.callflow.sip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An agent's desk phone written by hand over UDP on loopback, for what one SIPp scenario cannot do: hold two dialogs
 * at once and refer one to the other. It answers the call Callflow rings it with, places a second call with digest
 * (407 then Proxy-Authorization), sends REFER with Replaces naming the second dialog on the first, and answers every
 * NOTIFY and BYE with 200, keeping them for the test to read. Its two RTP sockets echo and count what they receive.
 */
final class TransferringPhone implements AutoCloseable {

    private static final Pattern TAG = Pattern.compile(";\\s*tag=([^;>\\s]+)");

    /** One dialog as the phone sees it. */
    record Dialog(String callId, String localHeader, String remoteHeader, String remoteTag, String localTag,
            String target) {
    }

    private final DatagramSocket socket;
    private final InetSocketAddress callflow;
    private final String user;
    private final String password;
    final Rtp firstRtp;
    final Rtp secondRtp;
    private final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
    /** NOTIFY bodies and BYEs received, per SIP Call-ID. */
    final Map<String, List<String>> notifies = new ConcurrentHashMap<>();
    final List<String> byes = new CopyOnWriteArrayList<>();
    private final Thread receiver;
    private volatile boolean open = true;
    private final AtomicLong cseq = new AtomicLong(100);
    /** The SDP of the last INVITE answered: where Callflow wants RTP for that leg. */
    volatile String lastOffer;

    TransferringPhone(int port, int sipPort, String user, String password) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(200);
        callflow = new InetSocketAddress("127.0.0.1", sipPort);
        this.user = user;
        this.password = password;
        firstRtp = new Rtp();
        secondRtp = new Rtp();
        receiver = new Thread(this::receive, "transferring-phone");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Answers the next INVITE Callflow sends (the call the flow rings this agent with); returns its dialog. */
    Dialog answer(Duration timeout) throws Exception {
        String invite = await(m -> m.startsWith("INVITE "), timeout);
        lastOffer = invite.substring(invite.indexOf("\r\n\r\n") + 4);
        String localTag = "a" + UUID.randomUUID().toString().substring(0, 8);
        String to = header(invite, "To") + ";tag=" + localTag;
        send(response(invite, "200 OK", to, sdp(firstRtp.port())));
        String from = header(invite, "From");
        return new Dialog(header(invite, "Call-ID"), to, from, tag(from), localTag, uri(header(invite, "Contact")));
    }

    /** Places a call to {@code number} with digest authentication; returns its dialog once answered (ACK sent). */
    Dialog call(String number, Duration timeout) throws Exception {
        String callId = "consult-" + UUID.randomUUID() + "@127.0.0.1";
        String localTag = "c" + UUID.randomUUID().toString().substring(0, 8);
        String requestUri = "sip:" + number + "@127.0.0.1:" + callflow.getPort();
        String from = "<sip:" + user + "@callflow.local>;tag=" + localTag;
        String to = "<sip:" + number + "@callflow.local>";
        String body = sdp(secondRtp.port());
        send(request("INVITE", requestUri, from, to, callId, 1, List.of(), body));
        String challenge = await(m -> isResponse(m, callId, "INVITE") && status(m) >= 200, timeout);
        if (status(challenge) != 407) {
            throw new IllegalStateException("expected 407, got " + firstLine(challenge));
        }
        send(request("ACK", requestUri, from, header(challenge, "To"), callId, 1, List.of(), null));
        String auth = digest(header(challenge, "Proxy-Authenticate"), "INVITE", requestUri);
        send(request("INVITE", requestUri, from, to, callId, 2, List.of("Proxy-Authorization: " + auth), body));
        String answer = await(m -> isResponse(m, callId, "INVITE") && status(m) >= 200, timeout);
        if (status(answer) != 200) {
            throw new IllegalStateException("the consultation call failed: " + firstLine(answer));
        }
        String remote = header(answer, "To");
        String target = uri(header(answer, "Contact"));
        send(request("ACK", target, from, remote, callId, 2, List.of(), null));
        return new Dialog(callId, from, remote, tag(remote), localTag, target);
    }

    /** Sends REFER on {@code dialog} with {@code referTo} and returns the final response's status line. */
    String refer(Dialog dialog, String referTo, Duration timeout) throws Exception {
        send(request("REFER", dialog.target(), dialog.localHeader(), dialog.remoteHeader(), dialog.callId(),
                cseq.incrementAndGet(), List.of("Refer-To: " + referTo), null));
        return firstLine(await(m -> isResponse(m, dialog.callId(), "REFER") && status(m) >= 200, timeout));
    }

    /** A Refer-To that replaces {@code replaced} (RFC 3891: to-tag is Callflow's, from-tag this phone's). */
    static String referToReplacing(String targetUser, Dialog replaced) {
        String replaces = replaced.callId() + ";to-tag=" + replaced.remoteTag() + ";from-tag=" + replaced.localTag();
        return "<sip:" + targetUser + "@callflow.local?Replaces=" + escape(replaces) + ">";
    }

    static String escape(String text) {
        return text.replace("%", "%25").replace("@", "%40").replace(";", "%3B").replace("=", "%3D");
    }

    /** Hangs up {@code dialog} (BYE); the 200 is not awaited. */
    void bye(Dialog dialog) throws IOException {
        send(request("BYE", dialog.target(), dialog.localHeader(), dialog.remoteHeader(), dialog.callId(),
                cseq.incrementAndGet(), List.of(), null));
    }

    // ---- messages ----

    private String request(String method, String requestUri, String from, String to, String callId, long seq,
            List<String> extra, String body) {
        StringBuilder message = new StringBuilder()
                .append(method).append(' ').append(requestUri).append(" SIP/2.0\r\n")
                .append("Via: SIP/2.0/UDP 127.0.0.1:").append(socket.getLocalPort()).append(";branch=z9hG4bK")
                .append(UUID.randomUUID().toString(), 0, 12).append(";rport\r\n")
                .append("From: ").append(from).append("\r\n")
                .append("To: ").append(to).append("\r\n")
                .append("Call-ID: ").append(callId).append("\r\n")
                .append("CSeq: ").append(seq).append(' ').append(method).append("\r\n")
                .append("Contact: <sip:").append(user).append("@127.0.0.1:").append(socket.getLocalPort())
                .append(">\r\n")
                .append("Max-Forwards: 70\r\n");
        extra.forEach(line -> message.append(line).append("\r\n"));
        return finish(message, body);
    }

    private String response(String request, String status, String to, String body) {
        StringBuilder message = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        for (String line : headerLines(request)) {
            String name = line.substring(0, line.indexOf(':')).trim();
            if (name.equalsIgnoreCase("Via") || name.equalsIgnoreCase("v")) {
                message.append(line).append("\r\n");
            }
        }
        message.append("From: ").append(header(request, "From")).append("\r\n")
                .append("To: ").append(to).append("\r\n")
                .append("Call-ID: ").append(header(request, "Call-ID")).append("\r\n")
                .append("CSeq: ").append(header(request, "CSeq")).append("\r\n")
                .append("Contact: <sip:").append(user).append("@127.0.0.1:").append(socket.getLocalPort())
                .append(">\r\n");
        return finish(message, body);
    }

    private static String finish(StringBuilder message, String body) {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            message.append("Content-Type: application/sdp\r\n");
        }
        return message.append("Content-Length: ").append(content.length).append("\r\n\r\n")
                .append(body == null ? "" : body).toString();
    }

    private static String sdp(int port) {
        return "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio " + port + " RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";
    }

    private String digest(String challenge, String method, String uri) throws Exception {
        String realm = param(challenge, "realm");
        String nonce = param(challenge, "nonce");
        String qop = param(challenge, "qop");
        String algorithm = param(challenge, "algorithm");
        String cnonce = UUID.randomUUID().toString().substring(0, 8);
        String ha1 = md5(user + ":" + realm + ":" + password);
        String ha2 = md5(method + ":" + uri);
        boolean auth = qop != null;
        String response = auth ? md5(ha1 + ":" + nonce + ":00000001:" + cnonce + ":auth:" + ha2)
                : md5(ha1 + ":" + nonce + ":" + ha2);
        return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\"" + (algorithm == null ? "" : ", algorithm=" + algorithm)
                + (auth ? ", qop=auth, nc=00000001, cnonce=\"" + cnonce + "\"" : "");
    }

    private static String param(String header, String name) {
        Matcher m = Pattern.compile(name + "=\"?([^\",]+)\"?").matcher(header);
        return m.find() ? m.group(1).trim() : null;
    }

    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    // ---- transport ----

    private interface Match {
        boolean test(String message);
    }

    private String await(Match match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> skipped = new java.util.ArrayList<>();
        try {
            while (true) {
                String message = inbox.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (message == null) {
                    throw new IllegalStateException("no matching SIP message within " + timeout + "; others: "
                            + skipped.stream().map(TransferringPhone::firstLine).toList());
                }
                if (match.test(message)) {
                    return message;
                }
                skipped.add(message);
            }
        } finally {
            inbox.addAll(skipped);
        }
    }

    private void receive() {
        byte[] buffer = new byte[65535];
        while (open) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return;
            }
            String message = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            try {
                if (message.startsWith("NOTIFY ")) {
                    notifies.computeIfAbsent(header(message, "Call-ID"), id -> new CopyOnWriteArrayList<>())
                            .add(message.substring(message.indexOf("\r\n\r\n") + 4).trim());
                    send(response(message, "200 OK", header(message, "To"), null));
                } else if (message.startsWith("BYE ")) {
                    byes.add(header(message, "Call-ID"));
                    send(response(message, "200 OK", header(message, "To"), null));
                } else if (message.startsWith("OPTIONS ")) {
                    send(response(message, "200 OK", header(message, "To"), null));
                } else if (!message.startsWith("ACK ") && !(message.startsWith("SIP/2.0 1"))) {
                    inbox.add(message);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void send(String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, callflow));
    }

    private static boolean isResponse(String message, String callId, String method) {
        return message.startsWith("SIP/2.0 ") && callId.equals(header(message, "Call-ID"))
                && header(message, "CSeq").endsWith(method);
    }

    static int status(String message) {
        return Integer.parseInt(message.substring(8, 11));
    }

    static String firstLine(String message) {
        return message.lines().findFirst().orElse("");
    }

    private static List<String> headerLines(String message) {
        int end = message.indexOf("\r\n\r\n");
        return message.substring(0, end < 0 ? message.length() : end).lines().skip(1).toList();
    }

    static String header(String message, String name) {
        for (String line : headerLines(message)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    private static String tag(String header) {
        Matcher m = TAG.matcher(header);
        return m.find() ? m.group(1) : null;
    }

    private static String uri(String contact) {
        int start = contact.indexOf('<');
        return start < 0 ? contact : contact.substring(start + 1, contact.indexOf('>'));
    }

    @Override
    public void close() throws Exception {
        open = false;
        receiver.join(2000);
        socket.close();
        firstRtp.close();
        secondRtp.close();
    }

    /** An RTP socket that echoes what it receives and counts it. */
    static final class Rtp implements AutoCloseable {
        private final DatagramSocket socket;
        final AtomicLong received = new AtomicLong();
        private final Thread reader;

        Rtp() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setSoTimeout(200);
            reader = new Thread(() -> {
                byte[] buffer = new byte[2048];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        socket.receive(packet);
                        received.incrementAndGet();
                        // An echo, as SIPp's -rtp_echo: the other side hears itself, and Callflow hears a live phone.
                        socket.send(packet);
                    } catch (SocketTimeoutException e) {
                        // keep reading
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "transferring-phone-rtp");
            reader.setDaemon(true);
            reader.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        /** Sends {@code digit} as RFC 4733 telephone-event (payload type 101, three end packets) to {@code sdp}. */
        void sendDigit(String sdp, char digit, int timestamp) throws IOException {
            Matcher port = Pattern.compile("m=audio (\\d+)").matcher(sdp);
            Matcher host = Pattern.compile("c=IN IP4 ([0-9.]+)").matcher(sdp);
            if (!port.find() || !host.find()) {
                throw new IllegalStateException("no media address in " + sdp);
            }
            var to = new InetSocketAddress(host.group(1), Integer.parseInt(port.group(1)));
            int event = "0123456789*#".indexOf(digit);
            for (int i = 0; i < 3; i++) {
                ByteBuffer packet = ByteBuffer.allocate(16);
                packet.put((byte) 0x80).put((byte) 101).putShort((short) (5000 + timestamp + i)).putInt(timestamp)
                        .putInt(0x5eed).put((byte) event).put((byte) 0x8a).putShort((short) 800);
                socket.send(new DatagramPacket(packet.array(), 16, to));
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
