package io.callflow.acd;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Callbacks in the queue: a waiting caller's entry becomes a callback entry (kind {@code CALLBACK}) at the same place,
 * which the {@link Dispatcher} serves like a call; the {@code callback} table keeps each request and what became of
 * it, so a restart loses none. The queue log gets CALLBACK_REQUESTED, CALLBACK_ATTEMPT (outcome) and
 * CALLBACK_COMPLETED / CALLBACK_FAILED / CALLBACK_EXPIRED / CALLBACK_CANCELLED.
 */
@Service
public class QueuedCallbacks {

    /** States in which a callback still waits for its turn (and can be cancelled). */
    private static final Set<String> OPEN = Set.of("PENDING", "RETRY_WAIT", "ATTEMPTING");

    private final JdbcTemplate jdbc;
    private final QueueLog queueLog;
    private final Dispatcher dispatcher;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    QueuedCallbacks(JdbcTemplate jdbc, QueueLog queueLog, Dispatcher dispatcher, Clock clock,
            ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.queueLog = queueLog;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.events = events;
    }

    /** The queue's callback offer; an unknown queue offers none. */
    public CallbackSettings settings(String queue) {
        return jdbc.query("select callback_enabled, callback_key, callback_order, callback_retries,"
                + " callback_retry_delay_seconds, callback_window_seconds from call_queue where name = ?",
                (rs, n) -> new CallbackSettings(rs.getBoolean(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        Duration.ofSeconds(rs.getInt(5)), Duration.ofSeconds(rs.getInt(6))), queue)
                .stream().findFirst().orElse(CallbackSettings.OFF);
    }

    /**
     * The waiting call {@code callId} hands its place to the callback {@code callbackId} towards {@code number}: same
     * queue, priority and enqueue time. Empty when the call is not waiting (an agent is already reserved for it).
     */
    @Transactional
    public Optional<CallbackView> takePlace(String callId, String callbackId, String number) {
        List<Map<String, Object>> entry = jdbc.queryForList("select queue_name, entered_at, priority, required_skills"
                + " from queue_entry where call_id = ? and kind = 'CALL' and state in ('WAITING', 'HELD')", callId);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        String queue = (String) entry.get(0).get("queue_name");
        Instant entered = instant(entry.get(0).get("entered_at"));
        Instant now = clock.instant();
        Instant expires = now.plus(settings(queue).window());
        jdbc.update("insert into callback (id, call_id, queue_name, number, entered_at, requested_at, expires_at,"
                + " priority, required_skills, state) values (?,?,?,?,?,?,?,?,?,'PENDING')", callbackId, callId, queue,
                number, Timestamp.from(entered), Timestamp.from(now), Timestamp.from(expires),
                ((Number) entry.get(0).get("priority")).intValue(), entry.get(0).get("required_skills"));
        // One UPDATE of the primary key keeps the place: the dispatcher orders by priority and entered_at only.
        jdbc.update("update queue_entry set call_id = ?, kind = 'CALLBACK', caller = ?, state = 'WAITING',"
                + " agent_id = null where call_id = ?", callbackId, number, callId);
        queueLog.write(callbackId, queue, null, "CALLBACK_REQUESTED", callId,
                Long.toString(Math.max(0, Duration.between(entered, now).toSeconds())), null);
        announce(callbackId, "requested", null, null);
        // trigger() runs its pass after this transaction commits (it registers the hook itself).
        dispatcher.trigger();
        return find(callbackId);
    }

    /** The callback's place comes up again (after an attempt that did not reach the customer, or a lost one). */
    @Transactional
    public boolean requeue(String callbackId) {
        Optional<CallbackView> found = find(callbackId).filter(callback -> OPEN.contains(callback.state()));
        if (found.isEmpty()) {
            return false;
        }
        CallbackView callback = found.get();
        // Whatever the last attempt left (OFFERED to its agent, HELD after a missed offer) is over: the process asks
        // for the place again only once that attempt has ended.
        int again = jdbc.update("update queue_entry set state = 'WAITING', agent_id = null where call_id = ?",
                callbackId);
        if (again == 0 && jdbc.queryForObject("select count(*) from queue_entry where call_id = ?", Integer.class,
                callbackId) == 0) {
            Integer priority = jdbc.queryForObject("select priority from callback where id = ?", Integer.class,
                    callbackId);
            String skills = jdbc.queryForObject("select required_skills from callback where id = ?", String.class,
                    callbackId);
            jdbc.update("insert into queue_entry (call_id, queue_name, caller, priority, required_skills, entered_at,"
                    + " state, kind) values (?,?,?,?,?,?,'WAITING','CALLBACK')", callbackId, callback.queue(),
                    callback.number(), priority, skills, Timestamp.from(callback.enteredAt()));
        }
        jdbc.update("update callback set state = 'PENDING', agent_id = null where id = ?", callbackId);
        // trigger() runs its pass after this transaction commits (it registers the hook itself).
        dispatcher.trigger();
        return true;
    }

    /** An attempt starts with the reserved agent. */
    @Transactional
    public int attemptStarted(String callbackId, String agentId) {
        jdbc.update("update callback set state = 'ATTEMPTING', attempts = attempts + 1, agent_id = ? where id = ?",
                agentId, callbackId);
        Integer attempts = jdbc.queryForObject("select attempts from callback where id = ?", Integer.class,
                callbackId);
        return attempts == null ? 0 : attempts;
    }

    /**
     * Both sides answered: the callback leaves its queue as a connected call (queue log CONNECT, so the agent's
     * wrap-up and the COMPLETE that follows work as for any call).
     */
    @Transactional
    public void connected(String callbackId, String agentId) {
        find(callbackId).ifPresent(callback -> {
            jdbc.update("delete from queue_entry where call_id = ?", callbackId);
            long waited = Math.max(0, Duration.between(callback.enteredAt(), clock.instant()).toSeconds());
            queueLog.write(callbackId, callback.queue(), agentId, "CONNECT", Long.toString(waited), "callback",
                    callback.number());
        });
    }

    /** An attempt ended with {@code outcome} (e.g. CONNECTED, CUSTOMER_NO_ANSWER, CUSTOMER_BUSY, AGENT_NOT_REACHED). */
    @Transactional
    public void attemptEnded(String callbackId, String outcome) {
        find(callbackId).ifPresent(callback -> {
            jdbc.update("update callback set last_outcome = ?, state = case when state = 'ATTEMPTING' then"
                    + " 'RETRY_WAIT' else state end where id = ?", outcome, callbackId);
            queueLog.write(callbackId, callback.queue(), callback.agentId(), "CALLBACK_ATTEMPT", outcome,
                    Integer.toString(callback.attempts()), null);
            announce(callbackId, "attempted", outcome, callback.agentId());
        });
    }

    /** The callback is over: COMPLETED, FAILED or EXPIRED. Its queue entry (if any) goes. */
    @Transactional
    public void finish(String callbackId, String state) {
        if (!Set.of("COMPLETED", "FAILED", "EXPIRED").contains(state)) {
            throw new IllegalArgumentException("A callback ends COMPLETED, FAILED or EXPIRED, not " + state);
        }
        end(callbackId, state);
    }

    /**
     * Cancels a callback that waits for its turn (PENDING or RETRY_WAIT); false when it cannot be (an attempt is under
     * way, or it is over).
     */
    @Transactional
    public boolean cancel(String callbackId) {
        Optional<CallbackView> found = find(callbackId);
        if (found.isEmpty() || !Set.of("PENDING", "RETRY_WAIT").contains(found.get().state())
                || jdbc.queryForObject("select count(*) from queue_entry where call_id = ? and state = 'OFFERED'",
                        Integer.class, callbackId) > 0) {
            return false;
        }
        return end(callbackId, "CANCELLED");
    }

    /** The callbacks of a queue still to be placed or in progress, in queue order; empty for an unknown queue. */
    public Optional<List<CallbackView>> open(String queue) {
        if (jdbc.queryForObject("select count(*) from call_queue where name = ?", Integer.class, queue) == 0) {
            return Optional.empty();
        }
        return Optional.of(jdbc.query("select * from callback where queue_name = ? and state in ('PENDING', 'RETRY_WAIT',"
                + " 'ATTEMPTING') order by priority desc, entered_at", (rs, n) -> view(rs), queue));
    }

    /** One callback, in any state. */
    public Optional<CallbackView> find(String callbackId) {
        return jdbc.query("select * from callback where id = ?", (rs, n) -> view(rs), callbackId).stream()
                .findFirst();
    }

    /** Whether {@code id} names a callback (not a caller's call). */
    public boolean isCallback(String id) {
        Integer n = jdbc.queryForObject("select count(*) from callback where id = ?", Integer.class, id);
        return n != null && n > 0;
    }

    private boolean end(String callbackId, String state) {
        Optional<CallbackView> found = find(callbackId);
        if (found.isEmpty() || !OPEN.contains(found.get().state())) {
            return false;
        }
        CallbackView callback = found.get();
        jdbc.update("update callback set state = ?, ended_at = ? where id = ?", state, Timestamp.from(clock.instant()),
                callbackId);
        // The process ends a callback only between attempts, so nothing else holds the entry (an agent reserved in that
        // instant is released when its reservation finds no flow to take it).
        jdbc.update("delete from queue_entry where call_id = ?", callbackId);
        queueLog.write(callbackId, callback.queue(), callback.agentId(), "CALLBACK_" + state,
                Integer.toString(callback.attempts()), callback.lastOutcome(), null);
        announce(callbackId, state.toLowerCase(java.util.Locale.ROOT), callback.lastOutcome(), callback.agentId());
        return true;
    }

    private void announce(String callbackId, String change, String outcome, String agentId) {
        find(callbackId).ifPresent(callback -> events.publishEvent(new CallbackChanged(callbackId, callback.callId(),
                callback.queue(), callback.number(), change, callback.attempts(), outcome, agentId, clock.instant())));
    }

    private static CallbackView view(java.sql.ResultSet rs) throws java.sql.SQLException {
        Timestamp ended = rs.getTimestamp("ended_at");
        return new CallbackView(rs.getString("id"), rs.getString("call_id"), rs.getString("queue_name"),
                rs.getString("number"), rs.getTimestamp("entered_at").toInstant(),
                rs.getTimestamp("requested_at").toInstant(), rs.getTimestamp("expires_at").toInstant(),
                rs.getString("state"), rs.getInt("attempts"), rs.getString("last_outcome"), rs.getString("agent_id"),
                ended == null ? null : ended.toInstant());
    }

    private Instant instant(Object at) {
        return at instanceof Timestamp ts ? ts.toInstant()
                : at instanceof java.time.OffsetDateTime odt ? odt.toInstant() : clock.instant();
    }
}
