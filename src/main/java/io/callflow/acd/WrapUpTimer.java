package io.callflow.acd;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.callflow.acd.AgentStore.Change;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Ends wrap-up when its time is up: the agent becomes AVAILABLE (OFFLINE if the phone went away meanwhile) and the
 * dispatcher gets a chance to offer a waiting call. Deadlines live in the database, so after a restart every agent
 * in wrap-up is rescheduled rather than stuck.
 */
@Component
class WrapUpTimer implements ApplicationRunner, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WrapUpTimer.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final AgentStore agents;
    private final Dispatcher dispatcher;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "acd-wrap-up");
        t.setDaemon(true);
        return t;
    });

    WrapUpTimer(JdbcTemplate jdbc, TransactionTemplate tx, AgentStore agents, Dispatcher dispatcher, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.agents = agents;
        this.dispatcher = dispatcher;
        this.clock = clock;
    }

    @Override
    public void run(ApplicationArguments args) {
        jdbc.query("select id, wrap_up_until from agent where state = 'WRAP_UP'", rs -> {
            Timestamp until = rs.getTimestamp(2);
            schedule(rs.getString(1), until == null ? clock.instant() : until.toInstant());
        });
    }

    void schedule(String agentId, Instant until) {
        long delay = Math.max(0, Duration.between(clock.instant(), until).toMillis());
        timer.schedule(() -> finish(agentId), delay, TimeUnit.MILLISECONDS);
    }

    void finish(String agentId) {
        try {
            tx.executeWithoutResult(status -> {
                Boolean registered = jdbc.query("select registered from agent where id = ?",
                        rs -> rs.next() ? rs.getBoolean(1) : null, agentId);
                if (registered != null) {
                    agents.change(agentId, EnumSet.of(AgentState.WRAP_UP), null,
                            Change.to(registered ? AgentState.AVAILABLE : AgentState.OFFLINE, "wrap-up over"));
                }
                dispatcher.trigger();
            });
        } catch (RuntimeException e) {
            log.error("Agent {}: could not end wrap-up ({}); retrying in 5 s", agentId, e.toString());
            timer.schedule(() -> finish(agentId), 5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
