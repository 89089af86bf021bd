package io.callflow.events;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This node's live fan-out: reads committed outbox rows in order and hands them to {@link LiveEvents}. Woken at once
 * by this node's commits ({@link Outbox#onAppended}) and every {@code poll-interval} for other nodes' rows.
 * Transactions may commit out of {@code seq} order, so a missing seq below one already seen is waited for: rows above
 * the position are re-read (and only the unseen ones delivered) until the gap fills or the row after it has been seen
 * for {@code late-commit-grace}, after which the gap counts as a rolled-back insert.
 */
@Component
class EventRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EventRelay.class);
    private static final int PAGE = 500;
    /** A gap older than this is probably a rollback rather than a commit a moment behind. */
    private static final long STALE_GAP_NANOS = 100_000_000;

    private final Outbox outbox;
    private final LiveEvents live;
    private final long pollMillis;
    private final long graceNanos;
    private final Semaphore wake = new Semaphore(0);
    /** Rows above {@link #floor} already delivered, with when they were first seen (System.nanoTime). */
    private final TreeMap<Long, Long> seen = new TreeMap<>();
    /** Every row at or below this seq has been delivered or given up on. */
    private long floor = -1;
    /** When the rows above {@link #floor} were last all re-read (System.nanoTime). */
    private long lastSweep;
    private volatile Thread thread;

    EventRelay(Outbox outbox, LiveEvents live, LiveEventsProperties properties) {
        this.outbox = outbox;
        this.live = live;
        this.pollMillis = Math.max(10, properties.pollInterval().toMillis());
        this.graceNanos = properties.lateCommitGrace().toNanos();
        outbox.onAppended(wake::release);
    }

    @Override
    public void start() {
        Thread relay = new Thread(this::run, "events-relay");
        relay.setDaemon(true);
        thread = relay;
        relay.start();
    }

    @Override
    public void stop() {
        Thread relay = thread;
        thread = null;
        if (relay != null) {
            relay.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }

    private void run() {
        int failures = 0;
        while (thread == Thread.currentThread()) {
            try {
                wake.tryAcquire(pollMillis, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (floor < 0) {
                    // Live streams start now: what was committed before this node started is history.
                    floor = outbox.head();
                }
                pass();
                if (failures > 0) {
                    log.info("Live event relay reads the outbox again after {} failed attempt(s)", failures);
                    failures = 0;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (failures++ == 0) {
                    log.warn("Live event relay cannot read the outbox; retrying: {}", e.toString());
                }
                try {
                    Thread.sleep(Math.min(5_000, 100L << Math.min(failures, 6)));
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * One read above the position, delivering what was not delivered yet. While a gap lasts longer than a moment (an
     * insert that rolled back leaves one for the whole grace), the rows above it are re-read only every
     * {@code poll-interval}, and the wake-ups in between read only what is new: a busy node would otherwise re-read
     * the same rows for every commit.
     */
    void pass() {
        long started = System.nanoTime();
        Map.Entry<Long, Long> gapEnd = seen.ceilingEntry(floor + 1);
        boolean sweep = gapEnd == null || started - gapEnd.getValue() < STALE_GAP_NANOS
                || started - lastSweep >= pollMillis * 1_000_000;
        if (sweep) {
            lastSweep = started;
        }
        long from = sweep ? floor : seen.lastKey();
        while (true) {
            List<OutboxEntry> page = outbox.readAfter(from, PAGE);
            long now = System.nanoTime();
            for (OutboxEntry entry : page) {
                if (entry.seq() > floor && seen.putIfAbsent(entry.seq(), now) == null) {
                    try {
                        live.publish(entry.event());
                    } catch (RuntimeException e) {
                        log.warn("Outbox row {} could not be relayed: {}", entry.seq(), e.toString());
                    }
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            from = page.get(page.size() - 1).seq();
        }
        advance(System.nanoTime());
    }

    private void advance(long now) {
        while (true) {
            long next = floor + 1;
            if (seen.remove(next) != null) {
                floor = next;
                continue;
            }
            Map.Entry<Long, Long> higher = seen.ceilingEntry(next);
            if (higher == null || now - higher.getValue() < graceNanos) {
                return;
            }
            // Nothing filled the gap within the grace: an insert that rolled back (its seq is never used).
            floor = higher.getKey() - 1;
        }
    }
}
