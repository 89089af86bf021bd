package io.callflow.acd;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.callflow.acd.AgentStore.Change;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Agents for supervisors and the agent console: who is in which state, and pausing or resuming an agent. */
@Component
public class Agents {

    private final JdbcTemplate jdbc;
    private final AgentStore store;
    private final Dispatcher dispatcher;

    Agents(JdbcTemplate jdbc, AgentStore store, Dispatcher dispatcher) {
        this.jdbc = jdbc;
        this.store = store;
        this.dispatcher = dispatcher;
    }

    public List<AgentView> all() {
        Map<String, Map<String, Integer>> skills = new HashMap<>();
        jdbc.query("select agent_id, skill, proficiency from agent_skill", rs -> {
            skills.computeIfAbsent(rs.getString(1), id -> new HashMap<>()).put(rs.getString(2), rs.getInt(3));
        });
        return jdbc.query("select * from agent order by id", (rs, n) -> new AgentView(rs.getString("id"),
                rs.getString("name"), rs.getString("sip_user"), AgentState.valueOf(rs.getString("state")),
                rs.getString("state_reason"), instant(rs.getTimestamp("state_since")), rs.getBoolean("registered"),
                rs.getString("current_call"), rs.getInt("calls_today"), rs.getLong("talk_seconds_today"),
                Map.copyOf(skills.getOrDefault(rs.getString("id"), Map.of()))));
    }

    public Optional<AgentView> find(String agentId) {
        return all().stream().filter(agent -> agent.id().equals(agentId)).findFirst();
    }

    /** Pauses an idle or wrapping-up agent; returns false when the agent is busy with a call or offline. */
    @Transactional
    public boolean pause(String agentId, String reason) {
        return store.change(agentId, EnumSet.of(AgentState.AVAILABLE, AgentState.WRAP_UP, AgentState.PAUSED), null,
                new Change(AgentState.PAUSED, reason == null || reason.isBlank() ? "paused" : reason,
                        "missed_offers = 0")).isPresent();
    }

    /** Makes a paused agent available again (if the phone is registered); returns whether it changed. */
    @Transactional
    public boolean resume(String agentId) {
        Boolean registered = jdbc.query("select registered from agent where id = ?",
                rs -> rs.next() ? rs.getBoolean(1) : null, agentId);
        if (registered == null || !registered) {
            return false;
        }
        boolean changed = store.change(agentId, EnumSet.of(AgentState.PAUSED), null,
                new Change(AgentState.AVAILABLE, null, "missed_offers = 0")).isPresent();
        dispatcher.trigger();
        return changed;
    }

    /**
     * Logs an agent out: AVAILABLE, PAUSED or in WRAP_UP become OFFLINE at once (a wrap-up ends there); an agent with
     * a call reserved, ringing or connected is refused (false), so no call is cut or left half-offered. The agent is
     * logged in again by its phone registering anew ({@code callflow.acd.auto-login-on-register}).
     */
    @Transactional
    public boolean logOut(String agentId) {
        return store.change(agentId, EnumSet.of(AgentState.AVAILABLE, AgentState.PAUSED, AgentState.WRAP_UP,
                AgentState.OFFLINE), null, new Change(AgentState.OFFLINE, "logged out", "missed_offers = 0"))
                .isPresent();
    }

    /**
     * Takes an available, registered agent for an outbound call it places (click-to-call): RESERVED with that call,
     * so the dispatcher offers it nothing meanwhile. Returns false when the agent is not available.
     */
    @Transactional
    public boolean takeForOutboundCall(String agentId, String callId) {
        return store.change(agentId, EnumSet.of(AgentState.AVAILABLE), null, new Change(AgentState.RESERVED,
                "outbound call", "current_call = ?", callId)).isPresent();
    }

    /** The agent answered its outbound call's first leg: ON_CALL (released later like any call, to wrap-up). */
    @Transactional
    public boolean outboundCallAnswered(String agentId, String callId) {
        return store.change(agentId, EnumSet.of(AgentState.RESERVED, AgentState.RINGING), callId,
                Change.to(AgentState.ON_CALL, "outbound call")).isPresent();
    }

    /** An outbound call the agent never answered is over: back to AVAILABLE, and waiting calls are offered. */
    @Transactional
    public boolean releaseFromOutboundCall(String agentId, String callId) {
        boolean changed = store.change(agentId, EnumSet.of(AgentState.RESERVED, AgentState.RINGING), callId,
                new Change(AgentState.AVAILABLE, null, "current_call = null")).isPresent();
        if (changed) {
            dispatcher.trigger();
        }
        return changed;
    }

    /**
     * Reserves this agent for a call waiting in a queue (an operator's transfer to the agent), bypassing the queue's
     * order and membership; the call's flow is told as for any reservation ({@link AgentReserved}) and rings the
     * agent. Returns false when the call is not waiting or the agent is not free (AVAILABLE and registered).
     */
    public boolean reserveForWaitingCall(String agentId, String callId) {
        return dispatcher.reserveNamed(callId, agentId);
    }

    /** The agent's state, or empty for an unknown agent. */
    public Optional<AgentState> stateOf(String agentId) {
        return jdbc.queryForList("select state from agent where id = ?", String.class, agentId).stream()
                .map(AgentState::valueOf).findFirst();
    }

    /**
     * What an agent's row holds when the agent is part of a call without being the agent the call was assigned:
     * {@code <callId>/<role>}. An agent row holds one call at a time, and the call's own reservations and clean-up
     * (which act on every agent holding the call id itself) must not take such an agent along; the key still names
     * the call, so reconciliation ends it with the call when the node that carried the call died.
     */
    public static String sideKey(String callId, String role) {
        return callId + "/" + role;
    }

    /** The call an agent row's {@code current_call} belongs to: the call id itself, or the call of a side key. */
    public static String callOf(String currentCall) {
        int slash = currentCall.indexOf('/');
        return slash < 0 ? currentCall : currentCall.substring(0, slash);
    }

    /**
     * Takes an available agent for a call it is part of without owning it (the called agent of an agent-to-agent
     * call, or the caller of a call it put into a queue): RESERVED under the call's side key {@code <callId>/party},
     * so the dispatcher offers it nothing and the call's own reservations are not disturbed. Returns false when the
     * agent is not available.
     */
    @Transactional
    public boolean takeForAgentCall(String agentId, String callId, String why) {
        return store.change(agentId, EnumSet.of(AgentState.AVAILABLE), null, new Change(AgentState.RESERVED, why,
                "current_call = ?", sideKey(callId, PARTY))).isPresent();
    }

    /** An agent taken by {@link #takeForAgentCall} is talking: ON_CALL. */
    @Transactional
    public boolean agentCallAnswered(String agentId, String callId, String why) {
        return store.change(agentId, EnumSet.of(AgentState.RESERVED), sideKey(callId, PARTY),
                Change.to(AgentState.ON_CALL, why)).isPresent();
    }

    /** An agent taken by {@link #takeForAgentCall} is free again (through WRAP_UP when it talked). */
    @Transactional
    public boolean releaseFromAgentCall(String agentId, String callId) {
        String key = sideKey(callId, PARTY);
        store.change(agentId, EnumSet.of(AgentState.ON_CALL), key, Change.to(AgentState.WRAP_UP, "agent call ended"));
        boolean changed = store.change(agentId, EnumSet.of(AgentState.RESERVED, AgentState.WRAP_UP), key,
                new Change(AgentState.AVAILABLE, null, "current_call = null")).isPresent();
        if (changed) {
            dispatcher.trigger();
        }
        return changed;
    }

    /**
     * Takes an available, registered agent as the target of another agent's consultation (attended transfer):
     * RESERVED with that call, so the dispatcher offers it nothing meanwhile. Returns false when it is not available.
     */
    @Transactional
    public boolean takeForConsultation(String agentId, String callId) {
        return store.change(agentId, EnumSet.of(AgentState.AVAILABLE), null, new Change(AgentState.RESERVED,
                CONSULTATION, "current_call = ?", callId)).isPresent();
    }

    /**
     * The first agent of {@code queue} free for a consultation (AVAILABLE and registered), taken as
     * {@link #takeForConsultation} does: the longest idle first, as the default queue strategy orders them.
     */
    @Transactional
    public Optional<String> takeFromQueueForConsultation(String queue, String callId) {
        List<String> free = jdbc.queryForList("select a.id from agent a join queue_member m on m.agent_id = a.id"
                + " where m.queue_name = ? and a.state = 'AVAILABLE' and a.registered = true"
                + " order by m.penalty, a.last_call_end nulls first, a.id", String.class, queue);
        return free.stream().filter(agentId -> takeForConsultation(agentId, callId)).findFirst();
    }

    /** A consultation's target agent answered: ON_CALL with the call (released later to wrap-up like any call). */
    @Transactional
    public boolean consultationAnswered(String agentId, String callId) {
        return store.change(agentId, EnumSet.of(AgentState.RESERVED, AgentState.RINGING), callId,
                Change.to(AgentState.ON_CALL, CONSULTATION)).isPresent();
    }

    /**
     * A consultation's target agent takes the call over: the agent, held until now under the consultation's own key
     * (an agent row holds one call at a time, and the first agent still holds the call itself), now holds the call.
     * Call after the first agent let go of it.
     */
    @Transactional
    public boolean consultationTookOver(String agentId, String consultationKey, String callId) {
        return jdbc.update("update agent set current_call = ? where id = ? and current_call = ?", callId, agentId,
                consultationKey) > 0;
    }

    /**
     * The called agent of an agent-to-agent call (taken by {@link #takeForAgentCall}, ON_CALL under that call's side
     * key) takes over {@code callId}, which a phone's attended transfer handed to it: it now holds that call and is
     * released with it, to wrap-up.
     */
    @Transactional
    public boolean agentCallTookOver(String agentId, String callId) {
        return jdbc.update("update agent set current_call = ? where id = ? and state = 'ON_CALL'"
                + " and current_call like ?", callId, agentId, "%/" + PARTY) > 0;
    }

    private static final String CONSULTATION = "consultation";
    private static final String PARTY = "party";

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
