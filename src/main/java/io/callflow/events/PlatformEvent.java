package io.callflow.events;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One announced event, as integrators see it: the versioned JSON envelope of every live event and webhook delivery.
 * {@code id} is the idempotency key (a consumer that sees an id twice has seen the same event twice); {@code type}
 * and {@code version} name the schema of {@code data} (docs/events.md).
 */
public record PlatformEvent(UUID id, String type, int version, Instant occurredAt, String callId, String queue,
        String agentId, Map<String, Object> data) {

    public PlatformEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(occurredAt, "occurredAt");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1");
        }
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    /** A new event with a fresh id. */
    public static PlatformEvent of(String type, int version, Instant occurredAt, String callId, String queue,
            String agentId, Map<String, Object> data) {
        return new PlatformEvent(UUID.randomUUID(), type, version, occurredAt, callId, queue, agentId, data);
    }
}
