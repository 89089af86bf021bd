package io.callflow.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The event outbox ({@code event_outbox}): {@link #append} joins the caller's transaction, so "it happened" and "it
 * will be announced" commit or roll back together and a node that dies loses neither. Readers (live fan-out,
 * webhooks) read committed rows by {@code seq}; local readers are woken after each commit that appended.
 */
@Component
public class Outbox {

    private static final TypeReference<Map<String, Object>> DATA = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final List<Runnable> wakeups = new CopyOnWriteArrayList<>();

    public Outbox(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Writes the event in the current transaction (its own when there is none). */
    public void append(PlatformEvent event) {
        jdbc.update("insert into event_outbox (event_id, event_type, version, occurred_at, call_id, queue_name,"
                + " agent_id, data) values (?,?,?,?,?,?,?,?)", event.id().toString(), event.type(), event.version(),
                Timestamp.from(event.occurredAt()), event.callId(), event.queue(), event.agentId(), write(event.data()));
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    wake();
                }
            });
        } else {
            wake();
        }
    }

    /** Committed rows after {@code afterSeq}, oldest first, at most {@code limit}. */
    public List<OutboxEntry> readAfter(long afterSeq, int limit) {
        return jdbc.query("select * from event_outbox where seq > ? order by seq fetch first " + limit + " rows only",
                this::entry, afterSeq);
    }

    /** The highest committed position now (0 when empty): where a reader that wants only new events starts. */
    public long head() {
        Long max = jdbc.queryForObject("select max(seq) from event_outbox", Long.class);
        return max == null ? 0 : max;
    }

    /** Registers work run (on the committing thread, so it must only signal) after each commit that appended. */
    public void onAppended(Runnable wakeup) {
        wakeups.add(wakeup);
    }

    private void wake() {
        wakeups.forEach(Runnable::run);
    }

    OutboxEntry entry(ResultSet row, int n) throws SQLException {
        return new OutboxEntry(row.getLong("seq"), new PlatformEvent(UUID.fromString(row.getString("event_id")),
                row.getString("event_type"), row.getInt("version"), row.getTimestamp("occurred_at").toInstant(),
                row.getString("call_id"), row.getString("queue_name"), row.getString("agent_id"),
                read(row.getString("data"))));
    }

    private String write(Map<String, Object> data) {
        try {
            return json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data is not JSON-serialisable: " + e.getMessage(), e);
        }
    }

    private Map<String, Object> read(String data) {
        try {
            return json.readValue(data, DATA);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event_outbox holds data that is not JSON: " + e.getMessage(), e);
        }
    }
}
