package io.callflow.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;

/** The {@code webhook_subscription} table; secrets are read only by the sender and never returned by a query here. */
class WebhookSubscriptions {

    private static final String COLUMNS = "id, url, event_types, queue_name, active, batch_size, created_by,"
            + " created_at, updated_at";

    private final JdbcTemplate jdbc;

    WebhookSubscriptions(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insert(WebhookSubscription subscription, String secret) {
        jdbc.update("insert into webhook_subscription (id, url, event_types, queue_name, secret, active, batch_size,"
                + " created_by, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?)", subscription.id(),
                subscription.url(), String.join(",", subscription.eventTypes()), subscription.queue(), secret,
                subscription.active(), subscription.batchSize(), subscription.createdBy(),
                Timestamp.from(subscription.createdAt()), Timestamp.from(subscription.updatedAt()));
    }

    boolean update(WebhookSubscription subscription) {
        return jdbc.update("update webhook_subscription set url = ?, event_types = ?, queue_name = ?, active = ?,"
                + " batch_size = ?, updated_at = ? where id = ?", subscription.url(),
                String.join(",", subscription.eventTypes()), subscription.queue(), subscription.active(),
                subscription.batchSize(), Timestamp.from(subscription.updatedAt()), subscription.id()) == 1;
    }

    boolean updateSecret(String id, String secret, Instant now) {
        return jdbc.update("update webhook_subscription set secret = ?, updated_at = ? where id = ?", secret,
                Timestamp.from(now), id) == 1;
    }

    boolean delete(String id) {
        return jdbc.update("delete from webhook_subscription where id = ?", id) == 1;
    }

    List<WebhookSubscription> all() {
        return jdbc.query("select " + COLUMNS + " from webhook_subscription order by created_at, id", this::row);
    }

    List<WebhookSubscription> active() {
        return jdbc.query("select " + COLUMNS + " from webhook_subscription where active = true", this::row);
    }

    Optional<WebhookSubscription> find(String id) {
        return jdbc.query("select " + COLUMNS + " from webhook_subscription where id = ?", this::row, id).stream()
                .findFirst();
    }

    /** What the sender needs: where, the key, and how many events per request; empty once deleted or deactivated. */
    Optional<Target> target(String id) {
        return jdbc.query("select url, secret, batch_size from webhook_subscription where id = ? and active = true",
                (row, n) -> new Target(id, row.getString("url"), row.getString("secret"), row.getInt("batch_size")),
                id).stream().findFirst();
    }

    /** The receiving end of one subscription, as the sender uses it. */
    record Target(String id, String url, String secret, int batchSize) {
    }

    private WebhookSubscription row(ResultSet row, int n) throws SQLException {
        return new WebhookSubscription(row.getString("id"), row.getString("url"),
                List.copyOf(Arrays.asList(row.getString("event_types").split(","))), row.getString("queue_name"),
                row.getBoolean("active"), row.getInt("batch_size"), row.getString("created_by"),
                row.getTimestamp("created_at").toInstant(), row.getTimestamp("updated_at").toInstant(), null);
    }
}
