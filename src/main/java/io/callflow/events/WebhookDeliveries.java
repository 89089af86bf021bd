package io.callflow.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@code webhook_delivery} table: one row per (subscription, event), its retry state, and the lease a node holds
 * while it sends. Every change of state is a conditional UPDATE, so two nodes never both own one attempt.
 */
class WebhookDeliveries {

    private static final String DUE = "d.state = 'PENDING' and d.next_attempt_at <= ?"
            + " and (d.claimed_until is null or d.claimed_until < ?)";
    private static final String VIEW = "id, subscription_id, event_id, event_type, occurred_at, state, attempts,"
            + " next_attempt_at, last_status, last_error, created_at, finished_at";

    private final JdbcTemplate jdbc;

    WebhookDeliveries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A new PENDING delivery due now; joins the caller's transaction. */
    void insert(String subscriptionId, PlatformEvent event, Long seq, String payload, Instant now) {
        jdbc.update("insert into webhook_delivery (subscription_id, event_id, event_seq, event_type, occurred_at,"
                + " payload, state, attempts, next_attempt_at, created_at) values (?,?,?,?,?,?,'PENDING',0,?,?)",
                subscriptionId, event.id().toString(), seq, event.type(), Timestamp.from(event.occurredAt()), payload,
                Timestamp.from(now), Timestamp.from(now));
    }

    /** Active subscriptions with at least one delivery due and not leased. */
    List<String> subscriptionsWithDueDeliveries(Instant now) {
        Timestamp at = Timestamp.from(now);
        return jdbc.queryForList("select distinct d.subscription_id from webhook_delivery d join webhook_subscription s"
                + " on s.id = d.subscription_id where s.active = true and " + DUE, String.class, at, at);
    }

    /**
     * Leases up to {@code limit} due deliveries of one subscription, oldest event first, to {@code claim} until
     * {@code until}; returns those this claim got (another node may have taken some in between).
     */
    List<Claimed> claim(String subscriptionId, int limit, String claim, Instant now, Instant until) {
        Timestamp at = Timestamp.from(now);
        List<Long> due = jdbc.queryForList("select d.id from webhook_delivery d where d.subscription_id = ? and " + DUE
                + " order by d.id fetch first " + limit + " rows only", Long.class, subscriptionId, at, at);
        if (due.isEmpty()) {
            return List.of();
        }
        String ids = String.join(",", Collections.nCopies(due.size(), "?"));
        Object[] args = new Object[due.size() + 3];
        args[0] = claim;
        args[1] = Timestamp.from(until);
        args[2] = at;
        for (int i = 0; i < due.size(); i++) {
            args[i + 3] = due.get(i);
        }
        jdbc.update("update webhook_delivery set claimed_by = ?, claimed_until = ? where state = 'PENDING'"
                + " and (claimed_until is null or claimed_until < ?) and id in (" + ids + ")", args);
        return jdbc.query("select id, event_id, occurred_at, event_type, payload, attempts from webhook_delivery"
                + " where claimed_by = ? order by id", (row, n) -> new Claimed(row.getLong("id"),
                        UUID.fromString(row.getString("event_id")), row.getString("event_type"),
                        row.getTimestamp("occurred_at").toInstant(), row.getString("payload"), row.getInt("attempts")),
                claim);
    }

    /** Records a 2xx for a claimed delivery; false when the lease was lost to another node meanwhile. */
    boolean delivered(long id, String claim, int status, Instant now) {
        return jdbc.update("update webhook_delivery set state = 'DELIVERED', attempts = attempts + 1,"
                + " last_status = ?, last_error = null, finished_at = ?, claimed_by = null, claimed_until = null"
                + " where id = ? and claimed_by = ?", status, Timestamp.from(now), id, claim) == 1;
    }

    /** Records a failed attempt: PENDING again at {@code nextAttempt}, or FAILED when {@code nextAttempt} is null. */
    boolean attemptFailed(long id, String claim, Integer status, String error, Instant now, Instant nextAttempt) {
        String state = nextAttempt == null ? "FAILED" : "PENDING";
        return jdbc.update("update webhook_delivery set state = ?, attempts = attempts + 1, last_status = ?,"
                + " last_error = ?, next_attempt_at = ?, finished_at = ?, claimed_by = null, claimed_until = null"
                + " where id = ? and claimed_by = ?", state, status, error,
                Timestamp.from(nextAttempt == null ? now : nextAttempt), nextAttempt == null ? Timestamp.from(now)
                        : null, id, claim) == 1;
    }

    /** Gives a finished delivery a new round of attempts, due now; false when it is PENDING already. */
    boolean requeue(long id, Instant now) {
        return jdbc.update("update webhook_delivery set state = 'PENDING', attempts = 0, next_attempt_at = ?,"
                + " finished_at = null, claimed_by = null, claimed_until = null where id = ? and state <> 'PENDING'",
                Timestamp.from(now), id) == 1;
    }

    Optional<WebhookDelivery> find(long id) {
        return jdbc.query("select " + VIEW + " from webhook_delivery where id = ?", this::view, id).stream()
                .findFirst();
    }

    Optional<WebhookDelivery> find(String subscriptionId, UUID eventId) {
        return jdbc.query("select " + VIEW + " from webhook_delivery where subscription_id = ? and event_id = ?",
                this::view, subscriptionId, eventId.toString()).stream().findFirst();
    }

    WebhookDeliveryPage page(String subscriptionId, WebhookDelivery.State state, int page, int size) {
        String where = " where subscription_id = ?" + (state == null ? "" : " and state = ?");
        Object[] args = state == null ? new Object[] {subscriptionId} : new Object[] {subscriptionId, state.name()};
        Long total = jdbc.queryForObject("select count(*) from webhook_delivery" + where, Long.class, args);
        List<WebhookDelivery> rows = jdbc.query("select " + VIEW + " from webhook_delivery" + where
                + " order by id desc offset " + (long) page * size + " rows fetch next " + size + " rows only",
                this::view, args);
        return new WebhookDeliveryPage(rows, page, size, total == null ? 0 : total);
    }

    /** Deletes DELIVERED and FAILED rows finished before {@code cutoff}; PENDING ones stay whatever their age. */
    int deleteFinishedBefore(Instant cutoff) {
        return jdbc.update("delete from webhook_delivery where state <> 'PENDING' and finished_at < ?",
                Timestamp.from(cutoff));
    }

    /** A delivery this node has leased: what to send, and how many attempts came before. */
    record Claimed(long id, UUID eventId, String eventType, Instant occurredAt, String payload, int attempts) {
    }

    private WebhookDelivery view(ResultSet row, int n) throws SQLException {
        Timestamp finished = row.getTimestamp("finished_at");
        int status = row.getInt("last_status");
        Integer lastStatus = row.wasNull() ? null : status;
        return new WebhookDelivery(row.getLong("id"), row.getString("subscription_id"),
                UUID.fromString(row.getString("event_id")), row.getString("event_type"),
                row.getTimestamp("occurred_at").toInstant(), WebhookDelivery.State.valueOf(row.getString("state")),
                row.getInt("attempts"), row.getTimestamp("next_attempt_at").toInstant(), lastStatus,
                row.getString("last_error"), row.getTimestamp("created_at").toInstant(),
                finished == null ? null : finished.toInstant());
    }
}
