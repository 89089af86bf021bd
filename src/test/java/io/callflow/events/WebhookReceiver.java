package io.callflow.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver on loopback for tests: records every request and answers with scripted statuses, then with the
 * standing one. {@link #verify} checks a signature the way docs/webhooks.md tells receivers to.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived. */
    record Received(String path, String eventIds, String eventTypes, String timestamp, String signature, String body,
            int answeredWith) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Integer> script = new ConcurrentLinkedDeque<>();
    private volatile int standing = 200;
    private volatile long delayMillis;

    WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().startsWith("/slow")) {
                sleep(delayMillis);
            }
            Integer scripted = script.pollFirst();
            int status = scripted != null ? scripted : standing;
            var headers = exchange.getRequestHeaders();
            received.add(new Received(exchange.getRequestURI().getPath(), headers.getFirst("Callflow-Event-Id"),
                    headers.getFirst("Callflow-Event-Type"), headers.getFirst("Callflow-Timestamp"),
                    headers.getFirst("Callflow-Signature"), new String(body, StandardCharsets.UTF_8), status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next requests get these statuses, in order; after them, the standing status. */
    void script(Integer... statuses) {
        script.addAll(List.of(statuses));
    }

    void answer(int status) {
        standing = status;
    }

    /** How long requests to {@code /slow...} take to answer. */
    void delay(long millis) {
        delayMillis = millis;
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    List<Received> receivedAt(String path) {
        return received.stream().filter(request -> request.path().equals(path)).toList();
    }

    void clear() {
        received.clear();
        script.clear();
        standing = 200;
    }

    /** The receiver's check from docs/webhooks.md: v1= hex HMAC-SHA256(secret, timestamp + "." + body). */
    static boolean verify(String secret, Received request) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((request.timestamp() + "." + request.body()).getBytes(StandardCharsets.UTF_8));
        return java.security.MessageDigest.isEqual(("v1=" + HexFormat.of().formatHex(expected))
                .getBytes(StandardCharsets.US_ASCII), request.signature().getBytes(StandardCharsets.US_ASCII));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
