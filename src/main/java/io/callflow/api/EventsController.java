package io.callflow.api;

import java.io.IOException;

import io.callflow.events.EventFilter;
import io.callflow.events.EventSink;
import io.callflow.events.LiveEvents;
import io.callflow.events.PlatformEvent;
import io.callflow.events.Subscription;
import io.callflow.events.Viewer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Live events as Server-Sent Events (docs/events.md): one stream per request, filtered by the query parameters and by
 * the caller's role. The WebSocket flavour of the same stream is {@link EventsWebSocketHandler}.
 */
@RestController
@RequestMapping(Api.V1 + "/events")
class EventsController {

    private final LiveEvents live;

    EventsController(LiveEvents live) {
        this.live = live;
    }

    @Operation(summary = "Live events as Server-Sent Events",
            description = "A text/event-stream: `id:` is the event id, `event:` its type, `data:` the JSON envelope"
                    + " (docs/events.md). The first event is `stream.subscribed`; a subscriber that does not keep up"
                    + " loses its oldest events and gets `stream.dropped` with the count; an idle stream carries a"
                    + " comment line every 15 s. An agent sees its own state, the calls offered to it and its queues'"
                    + " statistics. The same stream over WebSocket: /api/v1/events/ws.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping(produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(
            @Parameter(description = "Comma-separated event types (default: all)") @RequestParam(required = false)
            String types,
            @Parameter(description = "Comma-separated queue names") @RequestParam(required = false) String queues,
            @Parameter(description = "Comma-separated agent ids") @RequestParam(required = false) String agents,
            Authentication user) {
        EventFilter filter = filter(types, queues, agents);
        // No timeout: the stream lasts until the client leaves; heartbeats find connections that are gone.
        SseEmitter emitter = new SseEmitter(0L);
        Subscription subscription = subscribe(live, user, filter, new SseSink(emitter));
        emitter.onCompletion(subscription::close);
        emitter.onTimeout(subscription::close);
        emitter.onError(error -> subscription.close());
        return emitter;
    }

    static EventFilter filter(String types, String queues, String agents) {
        try {
            return EventFilter.parse(types, queues, agents);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    static Subscription subscribe(LiveEvents live, Authentication user, EventFilter filter, EventSink sink) {
        try {
            return live.subscribe(new Viewer(user.getName(), Roles.isSupervisorOrAdmin(user)), filter, sink);
        } catch (IllegalStateException e) {
            throw new TooManySubscribersException(e.getMessage());
        }
    }

    @ExceptionHandler(TooManySubscribersException.class)
    ProblemDetail tooMany(TooManySubscribersException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    /** The node serves as many live subscribers as it is configured for. */
    static final class TooManySubscribersException extends RuntimeException {

        TooManySubscribersException(String message) {
            super(message);
        }
    }

    /** Writes events as SSE frames on the subscriber's own thread. */
    private record SseSink(SseEmitter emitter) implements EventSink {

        @Override
        public void send(PlatformEvent event, String json) throws IOException {
            emitter.send(SseEmitter.event().id(event.id().toString()).name(event.type()).data(json));
        }

        @Override
        public void heartbeat() throws IOException {
            emitter.send(SseEmitter.event().comment("heartbeat"));
        }

        @Override
        public void close() {
            try {
                emitter.complete();
            } catch (RuntimeException e) {
                // Already completed by the container (the client left): nothing left to close.
            }
        }
    }
}
