package io.callflow.events;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.callflow.acd.QueueStatistics;
import io.callflow.acd.QueueStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Sends {@code queue.stats} to live subscribers every {@code queue-stats-interval}: today's figures and the live state
 * of each queue, computed only while someone could receive them. Live only: never written to the outbox, since a
 * statistic that is seconds old has no value to a webhook.
 */
@Component
class QueueStatsTicker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueueStatsTicker.class);

    private final QueueStatistics statistics;
    private final LiveEvents live;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "events-queue-stats");
        thread.setDaemon(true);
        return thread;
    });
    private boolean failing;

    QueueStatsTicker(QueueStatistics statistics, LiveEvents live, Clock clock, LiveEventsProperties properties) {
        this.statistics = statistics;
        this.live = live;
        this.clock = clock;
        long every = Math.max(100, properties.queueStatsInterval().toMillis());
        timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    void tick() {
        if (!live.wantsQueueStats()) {
            return;
        }
        try {
            for (QueueStats stats : statistics.today()) {
                live.publish(event(stats));
            }
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                log.warn("Queue statistics for live subscribers failed; trying again: {}", e.toString());
                failing = true;
            }
        }
    }

    private PlatformEvent event(QueueStats stats) {
        return PlatformEvent.of(EventTypes.QUEUE_STATS, DomainEventsToOutbox.VERSION, clock.instant(), null,
                stats.queue(), null, EventData.with("since", stats.from().toString())
                        .and("waiting", stats.waitingNow())
                        .and("longestWaitingSeconds", stats.longestWaitingNow().toSeconds())
                        .and("agentsLoggedIn", stats.agentsLoggedIn())
                        .and("offered", stats.offered())
                        .and("answered", stats.answered())
                        .and("abandoned", stats.abandoned())
                        .and("timedOut", stats.timedOut())
                        .and("serviceLevelPercent", Math.round(stats.serviceLevelPercent() * 10) / 10.0)
                        .and("averageSpeedOfAnswerSeconds", stats.averageSpeedOfAnswer().toSeconds())
                        .and("averageHandleTimeSeconds", stats.averageHandleTime().toSeconds())
                        .and("agentsNeeded", stats.agentsNeeded())
                        .map());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
