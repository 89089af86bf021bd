package io.callflow.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.callflow.events.LiveEvents;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Registers the live events WebSocket endpoint. Browsers from other origins are refused (Spring's same-origin default);
 * clients that send no {@code Origin} (integrations, command-line tools) are not browsers and are let in.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class EventsWebSocketConfiguration implements WebSocketConfigurer {

    static final String PATH = Api.V1 + "/events/ws";

    private final LiveEvents live;
    private final ObjectMapper json;

    EventsWebSocketConfiguration(LiveEvents live, ObjectMapper json) {
        this.live = live;
        this.json = json;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(new EventsWebSocketHandler(live), PATH)
                .addInterceptors(new EventsWebSocketHandler.FilterInterceptor(json));
    }
}
