package io.callflow.events;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Live event streams (docs/events.md): each subscriber's buffer ({@code buffer} events; when full the oldest is
 * dropped), the idle {@code heartbeat}, how often the relay looks for other nodes' outbox rows ({@code pollInterval}),
 * how long it waits for a transaction that committed out of order ({@code lateCommitGrace}), how often queue
 * statistics are sent ({@code queueStatsInterval}) and how many subscribers a node accepts ({@code maxSubscribers}).
 */
@ConfigurationProperties("callflow.events.live")
record LiveEventsProperties(
        @DefaultValue("1000") int buffer,
        @DefaultValue("15s") Duration heartbeat,
        @DefaultValue("500ms") Duration pollInterval,
        @DefaultValue("5s") Duration lateCommitGrace,
        @DefaultValue("5s") Duration queueStatsInterval,
        @DefaultValue("500") int maxSubscribers) {
}
