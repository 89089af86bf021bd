package io.callflow.events;

import java.io.IOException;

/**
 * Where one subscriber's events go: a WebSocket session or an SSE response. Called only from that subscriber's own
 * sender thread, so a sink may block without holding up anyone else.
 */
public interface EventSink {

    /** Sends one event, already serialised as its JSON envelope. */
    void send(PlatformEvent event, String json) throws IOException;

    /** Keeps an idle connection open (an SSE comment, a WebSocket ping). */
    void heartbeat() throws IOException;

    /** Ends the connection; called once when the subscription ends for any reason. */
    void close();
}
