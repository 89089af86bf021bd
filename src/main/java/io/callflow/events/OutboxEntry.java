package io.callflow.events;

/** A committed outbox row: its position ({@code seq}, ascending in insert order, may have gaps) and its event. */
public record OutboxEntry(long seq, PlatformEvent event) {
}
