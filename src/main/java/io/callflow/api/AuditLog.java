package io.callflow.api;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The audit log ({@code audit_log}): who did what, to what, when, from where and how it ended. Rows are written by one
 * background thread from a bounded queue, so recording never delays or breaks the request it records: a failed insert
 * or a full queue is counted ({@code callflow.audit.lost}) and logged at most once a minute, and the request goes on.
 * Any module may record its own actions here.
 */
public class AuditLog implements AutoCloseable {

    /** The action happened (an HTTP 2xx or 3xx). */
    public static final String SUCCESS = "success";
    /** Authentication or authorization refused it (a failed login, HTTP 401 or 403). */
    public static final String DENIED = "denied";
    /** It was attempted and failed (any other HTTP 4xx or 5xx). */
    public static final String FAILURE = "failure";

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    /** Rows waiting to be written; a burst beyond this (the database stalled under a login flood) is counted lost. */
    private static final int QUEUE_CAPACITY = 10_000;
    private static final Duration WARN_INTERVAL = Duration.ofMinutes(1);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ThreadPoolExecutor writer;
    private final Counter lostQueueFull;
    private final Counter lostDatabase;
    private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE / 2);

    AuditLog(JdbcTemplate jdbc, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE_CAPACITY), runnable -> {
                    Thread thread = new Thread(runnable, "audit-writer");
                    thread.setDaemon(true);
                    return thread;
                });
        this.lostQueueFull = Counter.builder("callflow.audit.lost").tag("reason", "queue-full")
                .description("Audit rows not written").register(meters);
        this.lostDatabase = Counter.builder("callflow.audit.lost").tag("reason", "database")
                .description("Audit rows not written").register(meters);
        meters.gauge("callflow.audit.queued", writer.getQueue(), java.util.Collection::size);
    }

    /** Records an action that happened ({@link #SUCCESS}). */
    public void record(String actor, String action, String target, String detail, String sourceAddress) {
        record(actor, action, target, detail, sourceAddress, SUCCESS);
    }

    /** Records an action with its outcome ({@link #SUCCESS}, {@link #DENIED}, {@link #FAILURE}); returns at once. */
    public void record(String actor, String action, String target, String detail, String sourceAddress,
            String outcome) {
        Object[] row = {Timestamp.from(clock.instant()), cut(actor == null ? "anonymous" : actor, 128),
                cut(action, 64), cut(target, 500), cut(detail, 1000), cut(sourceAddress, 64), cut(outcome, 16)};
        try {
            writer.execute(() -> insert(row));
        } catch (RejectedExecutionException e) {
            lostQueueFull.increment();
            warnAtMostOnceAMinute("Audit rows are being lost: the queue of " + QUEUE_CAPACITY
                    + " rows waiting for the database is full", null);
        }
    }

    private void insert(Object[] row) {
        try {
            jdbc.update("insert into audit_log (at, actor, action, target, detail, source_address, outcome)"
                    + " values (?, ?, ?, ?, ?, ?, ?)", row);
        } catch (RuntimeException e) {
            lostDatabase.increment();
            warnAtMostOnceAMinute("An audit row could not be written (" + row[2] + " by " + row[1] + ")", e);
        }
    }

    /** Entries matching the query, newest first. */
    AuditPage find(Instant from, Instant to, String actor, String action, int page, int size) {
        StringBuilder where = new StringBuilder(" where 1 = 1");
        List<Object> arguments = new ArrayList<>();
        if (from != null) {
            where.append(" and at >= ?");
            arguments.add(Timestamp.from(from));
        }
        if (to != null) {
            where.append(" and at < ?");
            arguments.add(Timestamp.from(to));
        }
        if (actor != null) {
            where.append(" and actor = ?");
            arguments.add(actor);
        }
        if (action != null) {
            where.append(" and action = ?");
            arguments.add(action);
        }
        long total = jdbc.queryForObject("select count(*) from audit_log" + where, Long.class, arguments.toArray());
        List<Object> paged = new ArrayList<>(arguments);
        paged.add(size);
        paged.add((long) page * size);
        List<AuditEntry> entries = jdbc.query("select * from audit_log" + where
                + " order by at desc, id desc limit ? offset ?", (rs, n) -> new AuditEntry(rs.getLong("id"),
                        rs.getTimestamp("at").toInstant(), rs.getString("actor"), rs.getString("action"),
                        rs.getString("target"), rs.getString("detail"), rs.getString("source_address"),
                        rs.getString("outcome")), paged.toArray());
        return new AuditPage(entries, page, size, total);
    }

    /** Deletes the rows older than the retention; returns how many. */
    int deleteOlderThan(Duration retention) {
        int deleted = jdbc.update("delete from audit_log where at < ?",
                Timestamp.from(clock.instant().minus(retention)));
        if (deleted > 0) {
            log.info("Deleted {} audit row(s) older than {}", deleted, retention);
        }
        return deleted;
    }

    /** Waits a little for the queued rows, so a normal shutdown loses none. */
    @Override
    public void close() throws InterruptedException {
        writer.shutdown();
        if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
            log.warn("{} audit row(s) not written at shutdown", writer.shutdownNow().size());
        }
    }

    private void warnAtMostOnceAMinute(String message, Exception cause) {
        long now = clock.millis();
        long last = lastWarning.get();
        if (now - last >= WARN_INTERVAL.toMillis() && lastWarning.compareAndSet(last, now)) {
            log.warn("{}{} (logged at most once a minute; counted in callflow.audit.lost)", message,
                    cause == null ? "" : ": " + cause);
        }
    }

    private static String cut(String text, int length) {
        return text == null || text.length() <= length ? text : text.substring(0, length);
    }
}
