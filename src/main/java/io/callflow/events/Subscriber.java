package io.callflow.events;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live subscriber: a bounded buffer filled by the relay (never blocking it) and drained by the subscriber's own
 * sender thread, which alone talks to the connection, so a slow client only ever slows itself. When the buffer is
 * full the oldest event is dropped; the next thing the client receives is a {@code stream.dropped} notice with the
 * count.
 */
final class Subscriber implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(Subscriber.class);

    /** A serialised event waiting in the buffer. */
    record Delivery(PlatformEvent event, String json) {
    }

    private final Viewer viewer;
    private final EventFilter filter;
    private final Set<String> agentQueues;
    private final EventSink sink;
    private final int capacity;
    private final long heartbeatNanos;
    private final Counter droppedCounter;
    private final Function<PlatformEvent, String> json;
    private final Clock clock;
    private final Consumer<Subscriber> onClose;
    private final ArrayDeque<Delivery> buffer = new ArrayDeque<>();
    private final Thread sender;
    private long droppedPending;
    private boolean closed;

    Subscriber(Viewer viewer, EventFilter filter, Set<String> agentQueues, EventSink sink, int capacity,
            Duration heartbeat, Counter droppedCounter, Function<PlatformEvent, String> json, Clock clock,
            Consumer<Subscriber> onClose, String name) {
        this.viewer = viewer;
        this.filter = filter;
        this.agentQueues = agentQueues;
        this.sink = sink;
        this.capacity = capacity;
        this.heartbeatNanos = heartbeat.toNanos();
        this.droppedCounter = droppedCounter;
        this.json = json;
        this.clock = clock;
        this.onClose = onClose;
        this.sender = new Thread(this::run, name);
        this.sender.setDaemon(true);
    }

    void start() {
        sender.start();
    }

    Viewer viewer() {
        return viewer;
    }

    EventFilter filter() {
        return filter;
    }

    Set<String> agentQueues() {
        return agentQueues;
    }

    /** Buffers an event; never blocks (drops the oldest when full). */
    synchronized void offer(Delivery delivery) {
        if (closed) {
            return;
        }
        if (buffer.size() >= capacity) {
            buffer.poll();
            droppedPending++;
            droppedCounter.increment();
        }
        buffer.add(delivery);
        notifyAll();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            buffer.clear();
            notifyAll();
        }
        onClose.accept(this);
    }

    private void run() {
        try {
            send(notice(EventTypes.STREAM_SUBSCRIBED, Map.of("types", sorted(filter.types()),
                    "queues", sorted(filter.queues()), "agents", sorted(filter.agents()))));
            long lastSent = System.nanoTime();
            while (true) {
                Delivery next;
                long dropped;
                synchronized (this) {
                    long idle = heartbeatNanos - (System.nanoTime() - lastSent);
                    if (buffer.isEmpty() && droppedPending == 0 && !closed && idle > 0) {
                        wait(Math.max(1, idle / 1_000_000));
                    }
                    if (closed) {
                        return;
                    }
                    dropped = droppedPending;
                    droppedPending = 0;
                    next = buffer.poll();
                }
                if (dropped > 0) {
                    send(notice(EventTypes.STREAM_DROPPED, Map.of("dropped", dropped)));
                }
                if (next != null) {
                    sink.send(next.event(), next.json());
                } else if (dropped == 0 && System.nanoTime() - lastSent >= heartbeatNanos) {
                    sink.heartbeat();
                } else if (dropped == 0) {
                    continue;
                }
                lastSent = System.nanoTime();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // A connection that broke or was closed by the client: the subscription simply ends.
            log.debug("Live subscriber {} ended: {}", viewer.user(), e.toString());
        } finally {
            close();
            sink.close();
        }
    }

    private void send(PlatformEvent notice) throws Exception {
        sink.send(notice, json.apply(notice));
    }

    private PlatformEvent notice(String type, Map<String, Object> data) {
        return PlatformEvent.of(type, 1, clock.instant(), null, null, null, data);
    }

    private static List<String> sorted(Set<String> items) {
        return items.stream().sorted().toList();
    }
}
