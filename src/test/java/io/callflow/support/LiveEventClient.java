package io.callflow.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A live events client as an integrator would write one with the JDK alone: Server-Sent Events read line by line from
 * {@code GET /api/v1/events}, or JSON text frames from the WebSocket {@code /api/v1/events/ws}. Every event received
 * is kept in order; for SSE also its {@code id:} and {@code event:} lines.
 */
public final class LiveEventClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One received event: its JSON envelope, and for SSE the frame's id and event name. */
    public record Received(JsonNode json, String sseId, String sseEvent) {
        public String type() {
            return json.path("type").asText();
        }
    }

    private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();
    private final List<Received> all = new ArrayList<>();
    /** When set, events go here only and are not kept (a benchmark's clients receive too many to keep). */
    private final Consumer<Received> listener;
    private AutoCloseable connection = () -> { };

    private LiveEventClient(Consumer<Received> listener) {
        this.listener = listener;
    }

    /** Opens an SSE stream (no credentials when {@code user} is null); throws {@link Refused} with the status when the server does not answer 200. */
    public static LiveEventClient sse(URI base, String user, String password, String query) throws Exception {
        LiveEventClient client = new LiveEventClient(null);
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve("/api/v1/events"
                + (query.isEmpty() ? "" : "?" + query))).header("Accept", "text/event-stream").GET();
        if (user != null) {
            builder.header("Authorization", basic(user, password));
        }
        HttpRequest request = builder.build();
        HttpResponse<Stream<String>> response = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            String body = String.join("\n", response.body().toList());
            throw new Refused(response.statusCode(), body);
        }
        Stream<String> lines = response.body();
        Thread reader = new Thread(() -> {
            String id = null;
            String event = null;
            StringBuilder data = new StringBuilder();
            try {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            client.received(new Received(JSON.readTree(data.toString()), id, event));
                        }
                        id = null;
                        event = null;
                        data.setLength(0);
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // The stream ended (closed by the test or the server).
            }
        }, "sse-client");
        reader.setDaemon(true);
        reader.start();
        client.connection = lines::close;
        return client;
    }

    /** Opens a WebSocket; throws {@link Refused} with the status when the handshake is refused. */
    public static LiveEventClient webSocket(URI base, String user, String password, String query) throws Exception {
        return webSocket(base, user, password, query, null);
    }

    /** A WebSocket client that hands each event to {@code listener} instead of keeping it. */
    public static LiveEventClient webSocket(URI base, String user, String password, String query,
            Consumer<Received> listener) throws Exception {
        LiveEventClient client = new LiveEventClient(listener);
        URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/api/v1/events/ws"
                + (query.isEmpty() ? "" : "?" + query));
        WebSocket.Listener frames = new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    try {
                        client.received(new Received(JSON.readTree(text.toString()), null, null));
                    } catch (IOException e) {
                        throw new IllegalStateException("not JSON: " + text, e);
                    }
                    text.setLength(0);
                }
                socket.request(1);
                return null;
            }
        };
        try {
            WebSocket.Builder builder = HTTP.newWebSocketBuilder();
            if (user != null) {
                builder.header("Authorization", basic(user, password));
            }
            WebSocket socket = builder.buildAsync(uri, frames).get(10, TimeUnit.SECONDS);
            client.connection = () -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                throw new Refused(refused.getResponse().statusCode(), String.valueOf(refused.getResponse().body()));
            }
            throw e;
        }
        return client;
    }

    private synchronized void received(Received event) {
        if (listener != null) {
            listener.accept(event);
            return;
        }
        all.add(event);
        queue.add(event);
    }

    /** Waits for the first event (not yet taken) that matches, skipping the others; fails after the timeout. */
    public Received next(Predicate<Received> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Received event = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new AssertionError("no matching event within " + timeout + "; received: " + all());
            }
            if (wanted.test(event)) {
                return event;
            }
        }
    }

    /** Everything received so far, in order. */
    public synchronized List<Received> all() {
        return List.copyOf(all);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (Exception e) {
            // Closing a connection the server already closed.
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The server refused to open the stream. */
    public static final class Refused extends Exception {

        private final int status;

        Refused(int status, String body) {
            super("HTTP " + status + ": " + body);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
