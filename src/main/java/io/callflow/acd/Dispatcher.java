package io.callflow.acd;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.callflow.call.CallId;
import io.callflow.routing.AgentFacts;
import io.callflow.routing.AgentRanking;
import io.callflow.routing.AgentRanker;
import io.callflow.routing.CallFacts;
import io.callflow.routing.RankingRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Matches waiting calls with available agents whenever something changed (a call queued, an agent freed) - never
 * by polling. Calls are served by effective priority, then longest wait, across all queues, so an agent in several
 * queues takes the most deserving call of any of them; the queue's strategy rules rank the qualified agents. Each
 * reservation is one conditional UPDATE of the agent plus one of the entry in a transaction: two threads or two nodes
 * can never book one agent twice or give one call two agents. Passes run on one thread per node; triggers that arrive
 * during a pass cause exactly one more pass.
 */
@Component
class Dispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private static final long RETRY_DELAY_MS = 200;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final AgentRanker ranker;
    private final AgentStore agents;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final AcdProperties properties;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "acd-dispatcher");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Consecutive failed passes; touched only on the dispatcher thread. */
    private int failures;

    Dispatcher(JdbcTemplate jdbc, TransactionTemplate tx, AgentRanker ranker, AgentStore agents,
            ApplicationEventPublisher events, Clock clock, AcdProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.ranker = ranker;
        this.agents = agents;
        this.events = events;
        this.clock = clock;
        this.properties = properties;
    }

    /** Asks for a matching pass after the current transaction commits; cheap and safe to call often. */
    void trigger() {
        AfterCommit.run(() -> {
            if (scheduled.compareAndSet(false, true)) {
                thread.execute(() -> {
                    scheduled.set(false);
                    try {
                        dispatch();
                        if (failures > 0) {
                            log.info("ACD matching pass succeeded again after {} failed attempt(s)", failures);
                            failures = 0;
                        }
                    } catch (RuntimeException e) {
                        // Waiting calls must not depend on the next unrelated change: retry with a backoff (200 ms
                        // doubling to 5 s), logging the first failure of a run and then only its recovery.
                        long delay = Math.min(5_000, RETRY_DELAY_MS << Math.min(failures, 5));
                        if (failures++ == 0) {
                            log.error("ACD matching pass failed; retrying every {}-5000 ms until it succeeds",
                                    RETRY_DELAY_MS, e);
                        }
                        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, thread).execute(this::trigger);
                    }
                });
            }
        });
    }

    /** One matching pass; returns the number of reservations made. */
    int dispatch() {
        long started = System.nanoTime();
        int reserved = pass();
        if (log.isDebugEnabled()) {
            log.debug("ACD pass: {} reserved in {} ms", reserved, (System.nanoTime() - started) / 1_000_000);
        }
        return reserved;
    }

    private int pass() {
        Instant now = clock.instant();
        // Most passes follow an agent becoming free while nobody waits (calls are offered at once when an agent is
        // free): one index probe then saves reading every free agent and membership.
        if (jdbc.queryForList("select 1 from queue_entry where state = 'WAITING' fetch first 1 rows only",
                Integer.class).isEmpty()) {
            return 0;
        }
        Map<String, Candidate> free = freeAgents(now);
        if (free.isEmpty()) {
            return 0;
        }
        Map<String, Map<String, Integer>> freeMembers = freeMemberships(free.keySet());
        if (freeMembers.isEmpty()) {
            return 0;
        }
        // Only calls in queues a free agent serves can be matched now; the others are not even read. The queue names
        // are bound, not joined, so that the plan cannot loop over every waiting call (see docs/acd.md, query plans).
        List<String> servedQueues = List.copyOf(freeMembers.keySet());
        List<WaitingCall> calls = jdbc.query("select e.call_id, e.queue_name, e.caller, e.priority, e.required_skills,"
                + " e.entered_at from queue_entry e where e.state = 'WAITING' and e.queue_name in ("
                + String.join(",", Collections.nCopies(servedQueues.size(), "?")) + ")", (rs, n) -> new WaitingCall(
                rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), Skills.parse(rs.getString(5)),
                rs.getTimestamp(6).toInstant()), servedQueues.toArray());
        if (calls.isEmpty()) {
            return 0;
        }
        Duration aging = properties.priorityAging();
        calls.sort(Comparator.comparingLong((WaitingCall c) -> -c.effectivePriority(now, aging))
                .thenComparing(WaitingCall::enteredAt));
        Map<String, QueueInfo> queues = queueInfo();
        int reserved = 0;
        for (WaitingCall call : calls) {
            if (free.isEmpty()) {
                break;
            }
            if (match(call, free, queues, freeMembers, true).isPresent()) {
                reserved++;
            }
        }
        return reserved;
    }

    /**
     * Reserves the best free qualified agent for one call; free agents that turn out to be taken are removed from
     * {@code free}. With {@code announce} the reservation commits on its own and is published as
     * {@link AgentReserved}; without it, it joins the caller's transaction and the caller hands the agent over itself.
     */
    private Optional<Reservation> match(WaitingCall call, Map<String, Candidate> free, Map<String, QueueInfo> queues,
            Map<String, Map<String, Integer>> freeMembers, boolean announce) {
        Map<String, Integer> members = freeMembers.getOrDefault(call.queue(), Map.of());
        QueueInfo queue = queues.getOrDefault(call.queue(), new QueueInfo("longest-idle", null));
        List<AgentFacts> candidates = new ArrayList<>();
        for (Map.Entry<String, Integer> member : members.entrySet()) {
            Candidate agent = free.get(member.getKey());
            if (agent != null && agent.qualifiesFor(call.requiredSkills())) {
                candidates.add(agent.facts(member.getValue(), turnOrder(call.queue(), queue, member.getKey())));
            }
        }
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        var request = new RankingRequest(new CallFacts(call.callId(), call.caller(), "", List.of(), "", "", null),
                call.queue(), queue.strategy(), call.requiredSkills(),
                "sticky".equals(queue.strategy()) ? lastAgentOf(call.caller()) : null, candidates);
        // One qualified agent needs no ranking; skipping the rule session saves a millisecond on the common path.
        AgentRanking ranking = candidates.size() == 1
                ? new AgentRanking(List.of(candidates.get(0).agentId()), List.of("only qualified agent"))
                : ranker.rank(request);
        String explanation = queue.strategy() + ": " + String.join(", ", ranking.firedRules());
        for (String agentId : ranking.agentIds()) {
            Candidate agent = free.get(agentId);
            if (agent == null) {
                continue;
            }
            boolean roundRobin = "round-robin".equals(queue.strategy());
            Outcome outcome = announce ? reserve(call, agent, explanation, roundRobin)
                    : reserveInCurrentTransaction(call, agent, explanation, roundRobin);
            if (outcome != Outcome.CALL_TAKEN) {
                free.remove(agentId);
            }
            if (outcome == Outcome.RESERVED) {
                return Optional.of(new Reservation(agent.id(), agent.sipUser()));
            }
            if (outcome != Outcome.AGENT_TAKEN) {
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * The fast path for a call that has just joined its queue: when nobody else waits there and a qualified agent is
     * free, that agent is reserved inside the caller's (the flow's) transaction, so the flow can ring the agent at
     * once instead of committing, waiting for a pass and being woken by {@link AgentReserved}. A call behind others
     * always waits its turn; the conditional UPDATEs keep the no-double-booking guarantee of the normal path.
     */
    Optional<Reservation> reserveNow(String callId) {
        Instant now = clock.instant();
        List<WaitingCall> mine = jdbc.query("select e.call_id, e.queue_name, e.caller, e.priority, e.required_skills,"
                + " e.entered_at from queue_entry e where e.call_id = ? and e.state = 'WAITING'", (rs, n) ->
                new WaitingCall(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        Skills.parse(rs.getString(5)), rs.getTimestamp(6).toInstant()), callId);
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        WaitingCall call = mine.get(0);
        Integer ahead = jdbc.queryForObject("select count(*) from queue_entry where queue_name = ? and state ="
                + " 'WAITING' and call_id <> ?", Integer.class, call.queue(), callId);
        if (ahead == null || ahead > 0) {
            return Optional.empty();
        }
        Map<String, Candidate> free = freeAgents(now, call.queue());
        if (free.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Integer> members = new HashMap<>();
        jdbc.query("select agent_id, penalty from queue_member where queue_name = ?", rs -> {
            if (free.containsKey(rs.getString(1))) {
                members.put(rs.getString(1), rs.getInt(2));
            }
        }, call.queue());
        return match(call, free, queueInfo(), Map.of(call.queue(), members), false);
    }

    /**
     * Reserves a named agent for a waiting call (an operator's transfer to that agent), whatever the queue's members,
     * skills and order: the same two conditional UPDATEs as every reservation, committed on their own and announced
     * as {@link AgentReserved}. False when the call is not waiting or the agent is not free.
     */
    boolean reserveNamed(String callId, String agentId) {
        List<WaitingCall> mine = jdbc.query("select call_id, queue_name, caller, priority, required_skills, entered_at"
                + " from queue_entry where call_id = ? and state = 'WAITING'", (rs, n) -> new WaitingCall(
                        rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        Skills.parse(rs.getString(5)), rs.getTimestamp(6).toInstant()), callId);
        List<String> sipUser = jdbc.queryForList("select sip_user from agent where id = ?", String.class, agentId);
        if (mine.isEmpty() || sipUser.isEmpty()) {
            return false;
        }
        var agent = new Candidate(agentId, sipUser.get(0), 0, 0, Duration.ZERO, Map.of());
        return reserve(mine.get(0), agent, "operator transfer", false) == Outcome.RESERVED;
    }

    /** An agent reserved for a call on the fast path. */
    record Reservation(String agentId, String sipUser) {
    }

    private enum Outcome { RESERVED, AGENT_TAKEN, CALL_TAKEN }

    private Outcome reserve(WaitingCall call, Candidate agent, String explanation, boolean roundRobin) {
        try {
            return tx.execute(status -> {
                Outcome outcome = book(call, agent, explanation, roundRobin);
                if (outcome == Outcome.CALL_TAKEN) {
                    status.setRollbackOnly();
                } else if (outcome == Outcome.RESERVED) {
                    Instant now = clock.instant();
                    AfterCommit.run(() -> events.publishEvent(new AgentReserved(new CallId(call.callId()),
                            call.queue(), agent.id(), agent.sipUser(), now)));
                }
                return outcome;
            });
        } catch (DataIntegrityViolationException e) {
            // The unique current_call: another node reserved a different agent for this call a moment earlier.
            return Outcome.CALL_TAKEN;
        }
    }

    private Outcome reserveInCurrentTransaction(WaitingCall call, Candidate agent, String explanation,
            boolean roundRobin) {
        Outcome outcome = book(call, agent, explanation, roundRobin);
        if (outcome == Outcome.CALL_TAKEN) {
            // The entry was just written in this very transaction, so nobody else can have taken it; the agent row
            // is already booked, and only rolling the whole transaction back undoes that.
            throw new IllegalStateException("Call " + call.callId() + " left its queue while being reserved");
        }
        return outcome;
    }

    /** The two conditional UPDATEs of a reservation; CALL_TAKEN leaves the agent booked, for the caller to undo. */
    private Outcome book(WaitingCall call, Candidate agent, String explanation, boolean roundRobin) {
        Instant now = clock.instant();
        // SKIP LOCKED: an agent row locked by another reservation still in flight (a call's flow holds it until its
        // transaction commits) counts as taken at once, instead of queueing every concurrent call behind that
        // transaction for the same best-ranked agent. The UPDATE stays conditional, so nothing is ever booked twice.
        int agentRows = jdbc.update("update agent set state = 'RESERVED', state_reason = null, state_since = ?,"
                + " current_call = ? where id = (select id from agent where id = ? and state = 'AVAILABLE' and"
                + " registered and enabled and current_call is null for update skip locked)", Timestamp.from(now),
                call.callId(), agent.id());
        if (agentRows == 0) {
            return Outcome.AGENT_TAKEN;
        }
        int entryRows = jdbc.update("update queue_entry set state = 'OFFERED', agent_id = ?, ranking = ?"
                + " where call_id = ? and state = 'WAITING'", agent.id(), truncate(explanation), call.callId());
        if (entryRows == 0) {
            return Outcome.CALL_TAKEN;
        }
        agents.logged(agent.id(), AgentState.AVAILABLE, AgentState.RESERVED, null, call.callId(), now);
        events.publishEvent(new CallOffered(new CallId(call.callId()), call.queue(), agent.id(), agent.sipUser(),
                Math.max(0, Duration.between(call.enteredAt(), now).toSeconds()), now));
        // The round-robin turn is written after commit, on its own: inside the reservation it would hold the queue
        // row together with the agent row, and a provisioning reload taking them in the other order would deadlock
        // with it. Only round-robin reads it, and for the other strategies it was a commit per call for nothing.
        if (roundRobin) {
            AfterCommit.run(() -> jdbc.update("update call_queue set last_agent_id = ? where name = ?", agent.id(),
                    call.queue()));
        }
        return Outcome.RESERVED;
    }

    private Map<String, Candidate> freeAgents(Instant now) {
        return freeAgents(now, null);
    }

    /** Free agents: all of them, or (fast path, {@code queue} not null) only that queue's members. */
    private Map<String, Candidate> freeAgents(Instant now, String queue) {
        // The fast path starts from the queue's members and looks each up by key: a plan that starts from the free
        // agents and loops over the members was 5-20 ms with 500 agents (docs/acd.md, query plans).
        String from = queue == null ? " from agent a where" : " from queue_member m join agent a on a.id = m.agent_id"
                + " where m.queue_name = ? and";
        Object[] args = queue == null ? new Object[0] : new Object[] {queue};
        Map<String, Candidate> free = new HashMap<>();
        jdbc.query("select a.id, a.sip_user, a.calls_today, a.talk_seconds_today, coalesce(a.last_call_end,"
                + " a.state_since)" + from + " a.state = 'AVAILABLE' and a.registered and a.enabled and"
                + " a.current_call is null", rs -> {
            free.put(rs.getString(1), new Candidate(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4),
                    Duration.between(rs.getTimestamp(5).toInstant(), now), new HashMap<>()));
        }, args);
        if (!free.isEmpty()) {
            // Skills of agents that are not free (any more) are skipped here rather than filtered in SQL.
            String skills = queue == null ? " from agent_skill s join agent a on a.id = s.agent_id where a.state ="
                    + " 'AVAILABLE'" : " from queue_member m join agent_skill s on s.agent_id = m.agent_id where"
                    + " m.queue_name = ?";
            jdbc.query("select s.agent_id, s.skill, s.proficiency" + skills, rs -> {
                Candidate c = free.get(rs.getString(1));
                if (c != null) {
                    c.skills().put(rs.getString(2), rs.getInt(3));
                }
            }, args);
        }
        return free;
    }

    private Map<String, QueueInfo> queueInfo() {
        Map<String, QueueInfo> info = new HashMap<>();
        jdbc.query("select name, strategy, last_agent_id from call_queue", rs -> {
            info.put(rs.getString(1), new QueueInfo(rs.getString(2), rs.getString(3)));
        });
        return info;
    }

    /** Queue name to (free agent id to penalty), in one query for all queues. */
    private Map<String, Map<String, Integer>> freeMemberships(Set<String> freeAgents) {
        Map<String, Map<String, Integer>> members = new HashMap<>();
        jdbc.query("select m.queue_name, m.agent_id, m.penalty from queue_member m join agent a on a.id = m.agent_id"
                + " where a.state = 'AVAILABLE'", rs -> {
            if (freeAgents.contains(rs.getString(2))) {
                members.computeIfAbsent(rs.getString(1), q -> new HashMap<>()).put(rs.getString(2), rs.getInt(3));
            }
        });
        return members;
    }

    /** Round-robin turn: 0 for the member after the one who took the queue's last call, in agent-id order. */
    private int turnOrder(String queue, QueueInfo info, String agentId) {
        if (!"round-robin".equals(info.strategy())) {
            return 0;
        }
        List<String> order = jdbc.queryForList("select agent_id from queue_member where queue_name = ? order by"
                + " agent_id", String.class, queue);
        return Math.floorMod(order.indexOf(agentId) - order.indexOf(info.lastAgentId()) - 1, order.size());
    }

    private static String truncate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 497) + "...";
    }

    private String lastAgentOf(String caller) {
        if (caller == null || caller.isBlank()) {
            return null;
        }
        List<String> last = jdbc.queryForList("select agent_id from queue_log where event = 'CONNECT' and data3 = ?"
                + " order by id desc fetch first 1 rows only", String.class, caller);
        return last.isEmpty() ? null : last.get(0);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    /** An available agent as a ranking candidate. */
    private record Candidate(String id, String sipUser, int callsToday, long talkSeconds, Duration idle,
            Map<String, Integer> skills) {

        boolean qualifiesFor(Map<String, Integer> required) {
            return required.entrySet().stream()
                    .allMatch(need -> skills.getOrDefault(need.getKey(), 0) >= need.getValue());
        }

        AgentFacts facts(int penalty, int turn) {
            return new AgentFacts(id, sipUser, Map.copyOf(skills), penalty, idle, callsToday,
                    Duration.ofSeconds(talkSeconds), turn);
        }
    }

    /** A queue's strategy and the member who took its last call. */
    private record QueueInfo(String strategy, String lastAgentId) {
    }
}
