package io.callflow.events;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.callflow.acd.QueueStatistics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Live event subscribers on this node (WebSocket and SSE clients): each gets the events its filter and its role let
 * through, from its own bounded buffer. Publishing never blocks: a subscriber that does not keep up loses its oldest
 * events and is told how many (docs/events.md, "Slow clients").
 */
@Component
public class LiveEvents {

    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    /** Which agents each recent call was offered to: an agent sees the rest of such a call's events. */
    private final Cache<String, Set<String>> callAgents = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofHours(12)).build();
    private final ObjectMapper json;
    private final QueueStatistics statistics;
    private final LiveEventsProperties properties;
    private final Clock clock;
    private final Counter dropped;
    private final AtomicLong names = new AtomicLong();

    LiveEvents(ObjectMapper json, QueueStatistics statistics, LiveEventsProperties properties, Clock clock,
            MeterRegistry meters) {
        this.json = json;
        this.statistics = statistics;
        this.properties = properties;
        this.clock = clock;
        this.dropped = Counter.builder("callflow.events.dropped")
                .description("Live events dropped because a subscriber did not keep up").register(meters);
        meters.gauge("callflow.events.subscribers", subscribers, List::size);
    }

    /**
     * Starts delivering to {@code sink}: first a {@code stream.subscribed} notice, then matching events as they are
     * committed. Throws {@link IllegalStateException} when the node already has its maximum of subscribers.
     */
    public Subscription subscribe(Viewer viewer, EventFilter filter, EventSink sink) {
        if (subscribers.size() >= properties.maxSubscribers()) {
            throw new IllegalStateException("This node already serves " + properties.maxSubscribers()
                    + " live subscribers (callflow.events.live.max-subscribers)");
        }
        Set<String> queues = viewer.seesEverything() ? Set.of() : statistics.queuesOf(viewer.user());
        Subscriber subscriber = new Subscriber(viewer, filter, queues, sink, properties.buffer(),
                properties.heartbeat(), dropped, this::write, clock, subscribers::remove,
                "events-subscriber-" + names.incrementAndGet());
        subscribers.add(subscriber);
        subscriber.start();
        return subscriber;
    }

    /** The number of connected subscribers on this node. */
    public int subscribers() {
        return subscribers.size();
    }

    /** Hands an event to every subscriber that may and wants to see it; never blocks. */
    void publish(PlatformEvent event) {
        remember(event);
        if (subscribers.isEmpty()) {
            return;
        }
        Subscriber.Delivery delivery = null;
        for (Subscriber subscriber : subscribers) {
            if (subscriber.filter().matches(event) && visible(subscriber, event)) {
                if (delivery == null) {
                    delivery = new Subscriber.Delivery(event, write(event));
                }
                subscriber.offer(delivery);
            }
        }
    }

    /** Whether anyone connected could receive queue statistics now. */
    boolean wantsQueueStats() {
        return subscribers.stream().anyMatch(subscriber -> subscriber.filter().wantsQueueStats()
                && (subscriber.viewer().seesEverything() || !subscriber.agentQueues().isEmpty()));
    }

    private void remember(PlatformEvent event) {
        if (event.callId() != null && event.agentId() != null && (EventTypes.CALL_OFFERED.equals(event.type())
                || EventTypes.CALL_ANSWERED.equals(event.type()) || EventTypes.CALL_TRANSFERRED.equals(event.type()))) {
            callAgents.asMap().compute(event.callId(), (call, agents) -> {
                Set<String> more = agents == null ? new HashSet<>() : new HashSet<>(agents);
                more.add(event.agentId());
                return Set.copyOf(more);
            });
        }
    }

    /** Role limits: ADMIN and SUPERVISOR see everything; an agent sees its own state, its calls, its queues. */
    private boolean visible(Subscriber subscriber, PlatformEvent event) {
        Viewer viewer = subscriber.viewer();
        if (viewer.seesEverything()) {
            return true;
        }
        String me = viewer.user();
        if (EventTypes.QUEUE_STATS.equals(event.type())) {
            return subscriber.agentQueues().contains(event.queue());
        }
        if (EventTypes.AGENT_STATE_CHANGED.equals(event.type())) {
            return me.equals(event.agentId());
        }
        if (EventTypes.CALL_MONITORED.equals(event.type())) {
            // Silent monitoring stays silent: the monitored agent is not told a supervisor is listening.
            return false;
        }
        if (me.equals(event.agentId())) {
            return true;
        }
        Set<String> offeredTo = event.callId() == null ? null : callAgents.getIfPresent(event.callId());
        return offeredTo != null && offeredTo.contains(me);
    }

    private String write(PlatformEvent event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + event.id() + " cannot be written as JSON", e);
        }
    }
}
