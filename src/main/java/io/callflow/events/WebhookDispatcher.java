package io.callflow.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Moves webhooks along: on one scheduler thread it fans new outbox rows out and leases due deliveries; the requests
 * run on a bounded pool of sender threads, at most one request per subscription at a time on this node, so a slow or
 * dead receiver holds one sender thread and never the others' deliveries. Woken after each local outbox commit and
 * every {@code pollInterval} (for other nodes' commits and for retries falling due).
 */
class WebhookDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final WebhookFanout fanout;
    private final WebhookSubscriptions subscriptions;
    private final WebhookDeliveries deliveries;
    private final WebhookSender sender;
    private final WebhookProperties properties;
    private final Clock clock;
    private final IntervalFunction backoff;
    private final String owner;
    /** The shortest time between two passes woken by commits. */
    static final long WAKE_GAP_MILLIS = 100;
    private volatile long lastPass = System.nanoTime() - WAKE_GAP_MILLIS * 1_000_000;
    private final AtomicLong claims = new AtomicLong();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean passQueued = new AtomicBoolean();
    private final MeterRegistry meters;
    private final Timer lag;
    private volatile boolean running;
    private volatile boolean failing;
    private ScheduledExecutorService scheduler;
    private ExecutorService senders;

    WebhookDispatcher(WebhookFanout fanout, WebhookSubscriptions subscriptions, WebhookDeliveries deliveries,
            WebhookSender sender, WebhookProperties properties, Clock clock, String nodeId, MeterRegistry meters) {
        this.fanout = fanout;
        this.subscriptions = subscriptions;
        this.deliveries = deliveries;
        this.sender = sender;
        this.properties = properties;
        this.clock = clock;
        this.meters = meters;
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(properties.backoffInitial(), 2.0, 0.5,
                properties.backoffMax());
        // The node id alone could be shared by mistake (two nodes left at "local"); the suffix keeps leases apart.
        this.owner = nodeId + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.lag = Timer.builder("callflow.webhooks.delivery.lag")
                .description("From an event's occurredAt to the 2xx of its delivery")
                .publishPercentileHistogram().register(meters);
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "webhook-dispatch"));
        int threads = properties.threads();
        AtomicLong number = new AtomicLong();
        // Never more tasks than threads are queued: the scheduler submits only while fewer are in flight.
        senders = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(threads),
                runnable -> daemon(runnable, "webhook-sender-" + number.incrementAndGet()));
        running = true;
        long poll = properties.pollInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::pass, poll, poll, TimeUnit.MILLISECONDS);
    }

    /**
     * Asks for a pass soon; cheap and non-blocking, so it may run on the committing thread. Passes woken by commits
     * are at least {@link #WAKE_GAP_MILLIS} apart: a busy node commits to the outbox hundreds of times a second, and
     * a pass per commit (each a few queries and commits) cost more than the deliveries.
     */
    void wake() {
        if (running && passQueued.compareAndSet(false, true)) {
            try {
                long wait = Math.max(0, lastPass + WAKE_GAP_MILLIS * 1_000_000 - System.nanoTime());
                scheduler.schedule(() -> {
                    passQueued.set(false);
                    pass();
                }, wait, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                passQueued.set(false);
            }
        }
    }

    private void pass() {
        if (!running) {
            return;
        }
        lastPass = System.nanoTime();
        try {
            fanout.run();
            dispatch();
            if (failing) {
                log.info("Webhook delivery works again");
                failing = false;
            }
        } catch (RuntimeException e) {
            // The database may be away for a while; say so once, and keep polling.
            if (!failing) {
                log.warn("Webhook fan-out or dispatch failed; retrying every {}: {}", properties.pollInterval(),
                        e.toString());
                failing = true;
            }
        }
    }

    private void dispatch() {
        Instant now = clock.instant();
        for (String subscriptionId : deliveries.subscriptionsWithDueDeliveries(now)) {
            if (!running || inFlight.size() >= properties.threads()) {
                return;
            }
            if (inFlight.contains(subscriptionId)) {
                continue;
            }
            Optional<WebhookSubscriptions.Target> target = subscriptions.target(subscriptionId);
            if (target.isEmpty()) {
                continue;
            }
            String claim = owner + "#" + claims.incrementAndGet();
            Instant leasedAt = clock.instant();
            List<WebhookDeliveries.Claimed> batch = deliveries.claim(subscriptionId, target.get().batchSize(), claim,
                    leasedAt, leasedAt.plus(properties.claimLease()));
            if (batch.isEmpty()) {
                continue;
            }
            inFlight.add(subscriptionId);
            senders.execute(() -> {
                try {
                    deliver(target.get(), batch, claim);
                } catch (RuntimeException e) {
                    // The lease runs out and the deliveries are taken again; nothing is lost.
                    log.warn("Recording a webhook delivery for subscription {} failed: {}", subscriptionId,
                            e.toString());
                } finally {
                    inFlight.remove(subscriptionId);
                    wake();
                }
            });
        }
    }

    private void deliver(WebhookSubscriptions.Target target, List<WebhookDeliveries.Claimed> batch, String claim) {
        WebhookSender.Outcome outcome = sender.send(target, batch, target.batchSize() > 1);
        Instant now = clock.instant();
        for (WebhookDeliveries.Claimed delivery : batch) {
            if (outcome.delivered()) {
                if (deliveries.delivered(delivery.id(), claim, outcome.status(), now)) {
                    count("delivered");
                    lag.record(Duration.between(delivery.occurredAt(), now));
                }
                continue;
            }
            int attempts = delivery.attempts() + 1;
            Instant next = attempts >= properties.maxAttempts() ? null
                    : now.plusMillis(backoff.apply(attempts));
            String error = outcome.error() != null ? outcome.error() : "HTTP " + outcome.status();
            if (deliveries.attemptFailed(delivery.id(), claim, outcome.status(), error, now, next)) {
                count(next == null ? "failed" : "retried");
                if (next == null) {
                    log.warn("Webhook delivery {} of event {} to subscription {} FAILED after {} attempts: {}",
                            delivery.id(), delivery.eventId(), target.id(), attempts, error);
                }
            }
        }
    }

    private void count(String outcome) {
        Counter.builder("callflow.webhooks.deliveries").description("Webhook delivery attempts by outcome")
                .tag("outcome", outcome).register(meters).increment();
    }

    @Override
    public void stop() {
        running = false;
        if (scheduler == null) {
            return;
        }
        // Not interrupted: a pass in the middle of a database call finishes it before the pool closes.
        scheduler.shutdown();
        senders.shutdown();
        try {
            scheduler.awaitTermination(properties.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            // Requests in flight finish (bounded by the request timeout) and record their outcome; what does not
            // finish keeps its lease, which expires, and another node or the next start sends it again.
            if (!senders.awaitTermination(properties.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                senders.shutdownNow();
            }
        } catch (InterruptedException e) {
            senders.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** {@code callflow.webhooks.enabled=false} keeps this node from fanning out and sending (subscriptions still work). */
    @Override
    public boolean isAutoStartup() {
        return properties.enabled();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
