package io.callflow.api;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.callflow.events.EventFilter;
import io.callflow.events.EventSink;
import io.callflow.events.LiveEvents;
import io.callflow.events.PlatformEvent;
import io.callflow.events.Subscription;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.util.MultiValueMap;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Live events over WebSocket at {@code /api/v1/events/ws} (docs/events.md): authenticated at the handshake like every
 * {@code /api} request (HTTP Basic), filtered by the handshake's query parameters ({@code types}, {@code queues},
 * {@code agents}; a bad one refuses the handshake with 400) and by the user's role. One JSON text frame per event; the
 * client sends nothing (what it sends is ignored).
 */
class EventsWebSocketHandler extends TextWebSocketHandler {

    private static final String FILTER = "callflow.events.filter";
    private static final String SUBSCRIPTION = "callflow.events.subscription";

    private final LiveEvents live;

    EventsWebSocketHandler(LiveEvents live) {
        this.live = live;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws IOException {
        if (!(session.getPrincipal() instanceof Authentication user)) {
            session.close(CloseStatus.POLICY_VIOLATION);
            return;
        }
        try {
            Subscription subscription = EventsController.subscribe(live, user,
                    (EventFilter) session.getAttributes().get(FILTER), new WebSocketSink(session));
            session.getAttributes().put(SUBSCRIPTION, subscription);
        } catch (EventsController.TooManySubscribersException e) {
            session.close(CloseStatus.SERVICE_OVERLOAD.withReason("too many live subscribers"));
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        if (session.getAttributes().get(SUBSCRIPTION) instanceof Subscription subscription) {
            subscription.close();
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        // A one-way stream: the filter is fixed at the handshake.
    }

    /** Parses the filter from the handshake's query; refuses the handshake with a problem detail when it is bad. */
    static final class FilterInterceptor implements HandshakeInterceptor {

        private final ObjectMapper json;

        FilterInterceptor(ObjectMapper json) {
            this.json = json;
        }

        @Override
        public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
                WebSocketHandler handler, Map<String, Object> attributes) throws IOException {
            MultiValueMap<String, String> query = UriComponentsBuilder.fromUri(request.getURI()).build(true)
                    .getQueryParams();
            try {
                attributes.put(FILTER, EventsController.filter(param(query, "types"), param(query, "queues"),
                        param(query, "agents")));
                return true;
            } catch (BadRequestException e) {
                response.setStatusCode(HttpStatus.BAD_REQUEST);
                response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
                response.getBody().write(json.writeValueAsBytes(
                        ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage())));
                return false;
            }
        }

        @Override
        public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
                Exception exception) {
        }

        private static String param(MultiValueMap<String, String> query, String name) {
            String value = query.getFirst(name);
            return value == null ? null : java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Writes events as text frames on the subscriber's own thread (the only thread that sends on the session). */
    private record WebSocketSink(WebSocketSession session) implements EventSink {

        @Override
        public void send(PlatformEvent event, String json) throws IOException {
            session.sendMessage(new TextMessage(json));
        }

        @Override
        public void heartbeat() throws IOException {
            session.sendMessage(new PingMessage());
        }

        @Override
        public void close() {
            try {
                if (session.isOpen()) {
                    session.close(CloseStatus.GOING_AWAY);
                }
            } catch (IOException e) {
                // The connection is gone already.
            }
        }
    }
}
