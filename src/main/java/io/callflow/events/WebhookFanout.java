package io.callflow.events;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns committed outbox rows into deliveries, each row exactly once across all nodes: a row is claimed by inserting
 * its {@code webhook_fanout} marker in the transaction that inserts its deliveries (a second node's insert hits the
 * primary key and rolls back). Rows are found by "not marked yet" above a floor rather than by a bare cursor, because
 * a transaction that took its seq earlier may commit later; the floor only passes a row once it is marked and every
 * marker up to it is older than {@code lateCommitWindow}.
 */
class WebhookFanout {

    static final int BATCH = 200;

    private static final Logger log = LoggerFactory.getLogger(WebhookFanout.class);

    /** Rows already reported as failing, so a row that keeps failing is logged once, not every pass. */
    private final Set<Long> unfannable = ConcurrentHashMap.newKeySet();
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Outbox outbox;
    private final WebhookSubscriptions subscriptions;
    private final WebhookDeliveries deliveries;
    private final ObjectMapper json;
    private final Clock clock;
    private final WebhookProperties properties;
    /** The highest outbox position this node has read (only the dispatcher's thread runs passes). */
    private long seen;
    private long lastFullPass = System.nanoTime() - Long.MAX_VALUE / 2;

    WebhookFanout(JdbcTemplate jdbc, TransactionTemplate transactions, Outbox outbox,
            WebhookSubscriptions subscriptions, WebhookDeliveries deliveries, ObjectMapper json, Clock clock,
            WebhookProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.outbox = outbox;
        this.subscriptions = subscriptions;
        this.deliveries = deliveries;
        this.json = json;
        this.clock = clock;
        this.properties = properties;
    }

    /**
     * Fans out what is there now; returns how many outbox rows this node fanned out. A pass woken by a local commit
     * reads only rows above the highest it has seen; a full pass from the floor (for rows that committed late, with a
     * lower seq than rows already read, and to raise the floor) runs at most once per {@code poll-interval}: reading
     * the whole late-commit window on every commit cost 14 ms of PostgreSQL per call at 25 calls/s
     * (docs/benchmarks.md, "Operations API").
     */
    int run() {
        long floor = floor();
        List<WebhookSubscription> active = subscriptions.active();
        if (active.isEmpty()) {
            // Nobody to deliver to: nothing is owed for what has committed so far (a subscription receives the events
            // committed after it was created), so the floor moves up to the head without reading or marking a row.
            long head = outbox.head();
            if (head > floor) {
                jdbc.update("update webhook_cursor set floor_seq = ? where id = 1 and floor_seq < ?", head, head);
            }
            seen = Math.max(seen, head);
            return 0;
        }
        long now = System.nanoTime();
        boolean full = now - lastFullPass >= properties.pollInterval().toNanos();
        long from = full ? floor : Math.max(floor, seen);
        int fanned = 0;
        List<OutboxEntry> unmarked;
        do {
            unmarked = jdbc.query("select * from event_outbox o where o.seq > ? and not exists (select 1 from"
                    + " webhook_fanout f where f.seq = o.seq) order by o.seq fetch first " + BATCH + " rows only",
                    outbox::entry, from);
            for (OutboxEntry entry : unmarked) {
                if (fanOut(entry, active)) {
                    fanned++;
                }
                seen = Math.max(seen, entry.seq());
                from = entry.seq();
            }
        } while (unmarked.size() == BATCH);
        if (full) {
            lastFullPass = now;
            raiseFloor(floor);
        }
        return fanned;
    }

    private boolean fanOut(OutboxEntry entry, List<WebhookSubscription> active) {
        Instant now = clock.instant();
        try {
            transactions.executeWithoutResult(status -> {
                jdbc.update("insert into webhook_fanout (seq, fanned_at) values (?, ?)", entry.seq(),
                        Timestamp.from(now));
                String payload = payload(entry.event());
                for (WebhookSubscription subscription : active) {
                    if (subscription.wants(entry.event())) {
                        deliveries.insert(subscription.id(), entry.event(), entry.seq(), payload, now);
                    }
                }
            });
            return true;
        } catch (DuplicateKeyException another) {
            return false; // another node fanned this row out first
        } catch (DataIntegrityViolationException e) {
            // A row that cannot be fanned out (a subscription deleted meanwhile, data too long) must not hold up the
            // rows after it; it is tried again next pass and the floor stays below it.
            if (unfannable.add(entry.seq())) {
                log.warn("Outbox row {} could not be fanned out to webhooks; trying again every pass: {}",
                        entry.seq(), e.toString());
            }
            return false;
        }
    }

    String payload(PlatformEvent event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An outbox event cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    private long floor() {
        Long floor = jdbc.queryForObject("select floor_seq from webhook_cursor where id = 1", Long.class);
        return floor == null ? 0 : floor;
    }

    /**
     * Moves the floor up to just below the first unmarked row, but not past markers younger than the late-commit
     * window: below those, a row that took its seq earlier may still commit.
     */
    private void raiseFloor(long floor) {
        Timestamp settled = Timestamp.from(clock.instant().minus(properties.lateCommitWindow()));
        Long settledMax = jdbc.queryForObject("select max(seq) from webhook_fanout where seq > ? and fanned_at < ?",
                Long.class, floor, settled);
        if (settledMax == null) {
            return;
        }
        Long firstUnmarked = jdbc.queryForObject("select min(o.seq) from event_outbox o where o.seq > ? and not"
                + " exists (select 1 from webhook_fanout f where f.seq = o.seq)", Long.class, floor);
        Long youngMarker = jdbc.queryForObject("select min(seq) from webhook_fanout where seq > ? and fanned_at >= ?",
                Long.class, floor, settled);
        long next = settledMax;
        if (firstUnmarked != null) {
            next = Math.min(next, firstUnmarked - 1);
        }
        if (youngMarker != null) {
            next = Math.min(next, youngMarker - 1);
        }
        if (next > floor) {
            jdbc.update("update webhook_cursor set floor_seq = ? where id = 1 and floor_seq < ?", next, next);
        }
    }

    /** Deletes markers the floor has passed: they are never looked at again. */
    int deleteMarkersBelowFloor() {
        return jdbc.update("delete from webhook_fanout where seq <= (select floor_seq from webhook_cursor where id = 1)");
    }
}
