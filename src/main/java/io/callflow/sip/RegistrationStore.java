package io.callflow.sip;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the {@code sip_registration} table in step with the registrar's bindings, behind it: changes are collected
 * per contact (the latest wins) and written every {@code writeDelay} in one transaction of two JDBC batches. A
 * commit per REGISTER capped the registrar at a few hundred a second; the table only matters after a restart, and a
 * binding lost in the last fraction of a second before a crash comes back with the phone's next refresh.
 */
final class RegistrationStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegistrationStore.class);

    private record Key(String user, String contact) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    /** Pending writes: a binding to store, or empty to delete the contact. */
    private final Map<Key, Optional<Binding>> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService writer;

    RegistrationStore(JdbcTemplate jdbc, TransactionTemplate transactions, java.time.Duration writeDelay) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-registration-writer");
            t.setDaemon(true);
            return t;
        });
        long delay = Math.max(1, writeDelay.toMillis());
        writer.scheduleWithFixedDelay(this::flushLogged, delay, delay, TimeUnit.MILLISECONDS);
    }

    List<Binding> loadAll() {
        return jdbc.query("select * from sip_registration", (rs, n) -> new Binding(rs.getString("sip_user"),
                rs.getString("contact"), rs.getTimestamp("expires_at").toInstant(), rs.getString("source_host"),
                rs.getInt("source_port"), rs.getString("transport"), null, 0));
    }

    void save(Binding binding) {
        pending.put(new Key(binding.user(), binding.contact()), Optional.of(binding));
    }

    void delete(String user, String contact) {
        pending.put(new Key(user, contact), Optional.empty());
    }

    /** Writes what is pending now; what arrives meanwhile waits for the next flush. */
    void flush() {
        List<Key> keys = new ArrayList<>(pending.keySet());
        if (keys.isEmpty()) {
            return;
        }
        List<Object[]> deletes = new ArrayList<>(keys.size());
        List<Object[]> inserts = new ArrayList<>(keys.size());
        for (Key key : keys) {
            Optional<Binding> change = pending.remove(key);
            if (change == null) {
                continue;
            }
            deletes.add(new Object[] {key.user(), key.contact()});
            change.ifPresent(b -> inserts.add(new Object[] {b.user(), b.contact(), Timestamp.from(b.expiresAt()),
                    b.sourceHost(), b.sourcePort(), b.transport()}));
        }
        // Delete then insert is an upsert both H2 and PostgreSQL run the same way.
        transactions.executeWithoutResult(status -> {
            jdbc.batchUpdate("delete from sip_registration where sip_user = ? and contact = ?", deletes);
            jdbc.batchUpdate("insert into sip_registration (sip_user, contact, expires_at, source_host, source_port,"
                    + " transport) values (?,?,?,?,?,?)", inserts);
        });
    }

    private void flushLogged() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.error("Registrations could not be written (kept in memory, retried with the next change): {}",
                    e.toString());
        }
    }

    /** Writes the last changes on shutdown. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushLogged();
    }
}
