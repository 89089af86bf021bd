package io.callflow.events;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Webhook subscriptions and their deliveries, for the API (docs/webhooks.md): input is checked here and refused with
 * {@link WebhookRefused}; a secret is shown once, when created or rotated.
 */
public class Webhooks {

    /** The event type filter entry that matches every type. */
    public static final String ALL_EVENTS = "*";

    /** The types a subscription may name: those written to the outbox (docs/events.md), and the test ping. */
    public static final Set<String> EVENT_TYPES = java.util.stream.Stream.concat(EventTypes.ALL.stream()
            .filter(type -> !type.equals(EventTypes.QUEUE_STATS)), java.util.stream.Stream.of(Webhooks.PING))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** The type of the event {@link #ping} sends. */
    public static final String PING = "webhook.ping";

    static final int MIN_SECRET_LENGTH = 16;
    static final int MAX_SECRET_LENGTH = 128;

    private final WebhookSubscriptions subscriptions;
    private final WebhookDeliveries deliveries;
    private final WebhookTargets targets;
    private final WebhookFanout fanout;
    private final WebhookDispatcher dispatcher;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final int maxBatchSize;

    Webhooks(WebhookSubscriptions subscriptions, WebhookDeliveries deliveries, WebhookTargets targets,
            WebhookFanout fanout, WebhookDispatcher dispatcher, TransactionTemplate transactions, Clock clock,
            int maxBatchSize) {
        this.subscriptions = subscriptions;
        this.deliveries = deliveries;
        this.targets = targets;
        this.fanout = fanout;
        this.dispatcher = dispatcher;
        this.transactions = transactions;
        this.clock = clock;
        this.maxBatchSize = maxBatchSize;
    }

    /** Creates a subscription; the answer carries its secret, the only time it is shown. */
    public WebhookSubscription create(WebhookRequest request, String user) {
        Instant now = clock.instant();
        WebhookSubscription subscription = valid(UUID.randomUUID().toString(), request, user, now, now);
        String secret = request.secret() == null ? WebhookSignature.newSecret() : validSecret(request.secret());
        subscriptions.insert(subscription, secret);
        return subscription.withSecret(secret);
    }

    public List<WebhookSubscription> list() {
        return subscriptions.all();
    }

    public Optional<WebhookSubscription> find(String id) {
        return subscriptions.find(id);
    }

    /** Replaces a subscription's settings; its secret stays (see {@link #rotateSecret}) and so do its deliveries. */
    public WebhookSubscription update(String id, WebhookRequest request) {
        WebhookSubscription existing = existing(id);
        if (request.secret() != null) {
            throw WebhookRefused.invalid("'secret' cannot be changed here; rotate it with"
                    + " POST /api/v1/webhooks/{id}/rotate-secret");
        }
        WebhookSubscription changed = valid(id, request, existing.createdBy(), existing.createdAt(), clock.instant());
        if (!subscriptions.update(changed)) {
            throw WebhookRefused.notFound(missing(id));
        }
        dispatcher.wake();
        return changed;
    }

    /** Deletes a subscription and its deliveries, pending ones included. */
    public void delete(String id) {
        if (!subscriptions.delete(id)) {
            throw WebhookRefused.notFound(missing(id));
        }
    }

    /** A new server-made secret, in use from the next request on; the answer is the only time it is shown. */
    public WebhookSubscription rotateSecret(String id) {
        String secret = WebhookSignature.newSecret();
        if (!subscriptions.updateSecret(id, secret, clock.instant())) {
            throw WebhookRefused.notFound(missing(id));
        }
        return existing(id).withSecret(secret);
    }

    /** Queues a {@value #PING} event for this subscription alone, whatever its filters, and sends it soon. */
    public WebhookDelivery ping(String id, String user) {
        WebhookSubscription subscription = existing(id);
        if (!subscription.active()) {
            throw new WebhookRefused(WebhookRefused.Reason.CONFLICT, "Webhook " + id + " is not active");
        }
        Instant now = clock.instant();
        PlatformEvent ping = PlatformEvent.of(PING, 1, now, null, null, null, Map.of("subscriptionId", id,
                "requestedBy", user));
        deliveries.insert(id, ping, null, fanout.payload(ping), now);
        WebhookDelivery queued = deliveries.find(id, ping.id()).orElseThrow();
        dispatcher.wake();
        return queued;
    }

    public WebhookDeliveryPage deliveries(String id, WebhookDelivery.State state, int page, int size) {
        existing(id);
        return deliveries.page(id, state, page, size);
    }

    /** Sends a DELIVERED or FAILED delivery again with a fresh round of attempts; refused while it is PENDING. */
    public WebhookDelivery retry(long deliveryId) {
        Instant now = clock.instant();
        boolean requeued = Boolean.TRUE.equals(transactions.execute(status -> {
            WebhookDelivery delivery = deliveries.find(deliveryId).orElseThrow(() -> WebhookRefused.notFound(
                    "There is no webhook delivery " + deliveryId));
            if (delivery.state() == WebhookDelivery.State.PENDING) {
                return false;
            }
            return deliveries.requeue(deliveryId, now);
        }));
        if (!requeued) {
            throw new WebhookRefused(WebhookRefused.Reason.CONFLICT, "Webhook delivery " + deliveryId
                    + " is PENDING already; it is retried on its schedule");
        }
        dispatcher.wake();
        return deliveries.find(deliveryId).orElseThrow();
    }

    private WebhookSubscription existing(String id) {
        return subscriptions.find(id).orElseThrow(() -> WebhookRefused.notFound(missing(id)));
    }

    private static String missing(String id) {
        return "There is no webhook '" + id + "'";
    }

    private WebhookSubscription valid(String id, WebhookRequest request, String user, Instant created,
            Instant updated) {
        if (request == null) {
            throw WebhookRefused.invalid("A webhook needs a JSON body with at least 'url' and 'eventTypes'");
        }
        String url = targets.check(request.url()).toString();
        List<String> types = eventTypes(request.eventTypes());
        String queue = request.queue() == null || request.queue().isBlank() ? null : request.queue().strip();
        if (queue != null && queue.length() > 128) {
            throw WebhookRefused.invalid("'queue' must be at most 128 characters");
        }
        int batchSize = request.batchSize() == null ? 1 : request.batchSize();
        if (batchSize < 1 || batchSize > maxBatchSize) {
            throw WebhookRefused.invalid("'batchSize' must be between 1 and " + maxBatchSize + ", not " + batchSize);
        }
        boolean active = request.active() == null || request.active();
        return new WebhookSubscription(id, url, types, queue, active, batchSize, user, created, updated, null);
    }

    private static List<String> eventTypes(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            throw WebhookRefused.invalid("'eventTypes' must list at least one event type, or \"*\" for all");
        }
        List<String> types = new ArrayList<>();
        for (String type : requested) {
            if (type == null || !(ALL_EVENTS.equals(type) || EVENT_TYPES.contains(type))) {
                throw WebhookRefused.invalid("'eventTypes' has an unknown event type '" + type + "'; known are "
                        + EVENT_TYPES.stream().sorted().toList() + " and \"*\"");
            }
            if (!types.contains(type)) {
                types.add(type);
            }
        }
        return List.copyOf(types);
    }

    private static String validSecret(String secret) {
        if (secret.length() < MIN_SECRET_LENGTH || secret.length() > MAX_SECRET_LENGTH
                || !secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw WebhookRefused.invalid("'secret' must be " + MIN_SECRET_LENGTH + " to " + MAX_SECRET_LENGTH
                    + " printable ASCII characters without spaces; leave it out to have one made");
        }
        return secret;
    }
}
