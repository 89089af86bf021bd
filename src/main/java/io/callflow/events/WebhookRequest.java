package io.callflow.events;

import java.util.List;

/**
 * A webhook subscription as an administrator asks for it (create or replace): where to POST, which event types
 * ({@code *} for all), optionally one queue's events only, a secret (made by the server when left out), whether it is
 * active (default yes) and how many events one request carries (default 1).
 */
public record WebhookRequest(String url, List<String> eventTypes, String queue, String secret, Boolean active,
        Integer batchSize) {
}
