package io.callflow.events;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A stored webhook subscription. {@code secret} is filled only in the answer to a create or a secret rotation, the one
 * time the administrator sees it; everywhere else it is null and left out of the JSON.
 */
public record WebhookSubscription(String id, String url, List<String> eventTypes, String queue, boolean active,
        int batchSize, String createdBy, Instant createdAt, Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {

    WebhookSubscription withSecret(String shownOnce) {
        return new WebhookSubscription(id, url, eventTypes, queue, active, batchSize, createdBy, createdAt, updatedAt,
                shownOnce);
    }

    /** Whether this subscription wants the event: its type is listed (or {@code *}) and its queue matches, if set. */
    boolean wants(PlatformEvent event) {
        boolean type = eventTypes.contains(Webhooks.ALL_EVENTS) || eventTypes.contains(event.type());
        return active && type && (queue == null || queue.equals(event.queue()));
    }
}
