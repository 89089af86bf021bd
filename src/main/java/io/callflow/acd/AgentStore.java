package io.callflow.acd;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Agent state changes, each one validated against {@link AgentState#canBecome}, written with the time and reason to
 * {@code agent_state_log}, recorded in the transaction ({@link AgentStateRecorded}) and announced after commit. The row is locked while it changes, so concurrent changes of
 * one agent happen one after the other.
 */
@Component
class AgentStore {

    private static final Logger log = LoggerFactory.getLogger(AgentStore.class);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    AgentStore(JdbcTemplate jdbc, Clock clock, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.events = events;
    }

    /** A change of state and of the columns that go with it ({@code set} is an SQL assignment list, may be empty). */
    record Change(AgentState to, String reason, String set, Object... args) {
        static Change to(AgentState to, String reason) {
            return new Change(to, reason, "");
        }
    }

    /**
     * Applies the change if the agent is in one of {@code from} and, when {@code call} is given, busy with that call.
     * Returns the previous state, or empty when the agent was not in such a state (nothing changes then).
     */
    Optional<AgentState> change(String agentId, Set<AgentState> from, String call, Change change) {
        List<Object[]> rows = jdbc.query("select state, current_call from agent where id = ? for update",
                (rs, n) -> new Object[] {rs.getString(1), rs.getString(2)}, agentId);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        AgentState current = AgentState.valueOf((String) rows.get(0)[0]);
        String currentCall = (String) rows.get(0)[1];
        if (!from.contains(current) || (call != null && !call.equals(currentCall))) {
            return Optional.empty();
        }
        if (current != change.to() && !current.canBecome(change.to())) {
            throw new IllegalStateException("agent " + agentId + " cannot go from " + current + " to " + change.to());
        }
        Instant now = clock.instant();
        List<Object> args = new ArrayList<>(Arrays.asList(change.to().name(), change.reason(), Timestamp.from(now)));
        args.addAll(Arrays.asList(change.args()));
        args.add(agentId);
        jdbc.update("update agent set state = ?, state_reason = ?, state_since = ?"
                + (change.set().isEmpty() ? "" : ", " + change.set()) + " where id = ?", args.toArray());
        logged(agentId, current, change.to(), change.reason(), call, now);
        return Optional.of(current);
    }

    /** Writes a transition that a conditional UPDATE already made (the reservation), and announces it. */
    void logged(String agentId, AgentState from, AgentState to, String reason, String call, Instant at) {
        jdbc.update("insert into agent_state_log (agent_id, event_time, from_state, to_state, reason, call_id)"
                + " values (?,?,?,?,?,?)", agentId, Timestamp.from(at), from.name(), to.name(), reason, call);
        // In the transaction, for the outbox (it must roll back with the row); after commit, for those who act on it.
        events.publishEvent(new AgentStateRecorded(agentId, from, to, reason, call, at));
        AfterCommit.run(() -> {
            log.info("Agent {}: {} -> {}{}", agentId, from, to, reason == null ? "" : " (" + reason + ")");
            events.publishEvent(new AgentStateChanged(agentId, from, to, reason, at));
        });
    }

    static Set<AgentState> any() {
        return EnumSet.allOf(AgentState.class);
    }
}
