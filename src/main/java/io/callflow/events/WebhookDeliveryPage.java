package io.callflow.events;

import java.util.List;

/** A page of one subscription's deliveries, newest first, with the number matching the query in all. */
public record WebhookDeliveryPage(List<WebhookDelivery> deliveries, int page, int size, long total) {
}
