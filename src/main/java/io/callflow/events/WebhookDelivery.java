package io.callflow.events;

import java.time.Instant;
import java.util.UUID;

/**
 * One event on its way to one subscription: its state, how many requests were made, when the next one is due, and
 * what the last one got back ({@code lastStatus} is the HTTP status, {@code lastError} a failure without one).
 */
public record WebhookDelivery(long id, String subscriptionId, UUID eventId, String eventType, Instant occurredAt,
        State state, int attempts, Instant nextAttemptAt, Integer lastStatus, String lastError, Instant createdAt,
        Instant finishedAt) {

    /** PENDING until a 2xx (DELIVERED) or until the last allowed attempt failed (FAILED). */
    public enum State { PENDING, DELIVERED, FAILED }
}
