package io.callflow.acd;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.callflow.acd.AgentStore.Change;
import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallId;
import io.callflow.routing.CalendarStatus;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The ACD on the database: queue entries, the queue event log and agent hand-over, each method in one transaction
 * (joining the call flow's, so the process state and the ACD's move together). Every method is idempotent per
 * call; the matching of calls and agents is the {@link Dispatcher}'s, triggered after each commit that may allow a
 * new match.
 */
@Component
class JdbcCallDistributor implements CallDistributor {

    private final JdbcTemplate jdbc;
    private final BusinessCalendars calendars;
    private final QueueStore queues;
    private final AgentStore agents;
    private final Dispatcher dispatcher;
    private final QueueLog queueLog;
    private final WaitEstimator estimator;
    private final WrapUpTimer wrapUp;
    private final Clock clock;
    private final AcdProperties properties;
    private final ApplicationEventPublisher events;

    JdbcCallDistributor(JdbcTemplate jdbc, QueueStore queues, AgentStore agents, Dispatcher dispatcher,
            QueueLog queueLog, WaitEstimator estimator, WrapUpTimer wrapUp, Clock clock, AcdProperties properties,
            ApplicationEventPublisher events, BusinessCalendars calendars) {
        this.calendars = calendars;
        this.jdbc = jdbc;
        this.queues = queues;
        this.agents = agents;
        this.dispatcher = dispatcher;
        this.queueLog = queueLog;
        this.estimator = estimator;
        this.wrapUp = wrapUp;
        this.clock = clock;
        this.properties = properties;
        this.events = events;
    }

    @Override
    @Transactional
    public EnqueueResult enqueue(EnqueueRequest request) {
        String callId = request.callId().value();
        Optional<QueueConfig> found = queues.find(request.queue());
        if (found.isEmpty()) {
            return new EnqueueResult.Rejected(request.queue(), "unknown queue");
        }
        QueueConfig queue = found.get();
        Instant now = clock.instant();
        boolean open = queue.calendar() != null
                ? calendars.status(queue.calendar(), now).map(CalendarStatus::open).orElse(true)
                : queue.openAt(now.atZone(properties.zone()));
        if (!open) {
            return new EnqueueResult.Rejected(queue.name(), "closed");
        }
        if (!queue.joinWhenEmpty() && loggedInMembers(queue.name()) == 0) {
            return new EnqueueResult.Rejected(queue.name(), "no agent logged in");
        }
        String skills = Skills.format(request.requiredSkills());
        int again = jdbc.update("update queue_entry set priority = ?, required_skills = ?, state = 'WAITING',"
                + " agent_id = null where call_id = ? and queue_name = ? and state <> 'OFFERED'", request.priority(),
                skills, callId, queue.name());
        if (again == 0) {
            // A call moving on to another queue leaves the old one first (the flow logs why); drop any leftover.
            jdbc.update("delete from queue_entry where call_id = ? and queue_name <> ?", callId, queue.name());
            Integer present = jdbc.queryForObject("select count(*) from queue_entry where call_id = ?",
                    Integer.class, callId);
            boolean inserted = present != null && present == 0 && jdbc.update("insert into queue_entry (call_id,"
                    + " queue_name, caller, priority, required_skills, entered_at, state) values (?,?,?,?,?,?,"
                    + "'WAITING')", callId, queue.name(), request.caller(), request.priority(), skills,
                    Timestamp.from(now)) == 1;
            if (inserted) {
                queueLog.write(callId, queue.name(), null, "ENTERQUEUE", request.caller(), null, null);
                events.publishEvent(new CallQueued(request.callId(), queue.name(), request.caller(),
                        request.priority(), false, now));
            }
        } else {
            events.publishEvent(new CallQueued(request.callId(), queue.name(), request.caller(), request.priority(),
                    true, now));
        }
        if (request.offerAtOnce()) {
            var reservation = dispatcher.reserveNow(callId);
            if (reservation.isPresent()) {
                return new EnqueueResult.Reserved(queue.name(), reservation.get().agentId(),
                        reservation.get().sipUser());
            }
        }
        dispatcher.trigger();
        return position(request.callId()).orElseGet(() -> new EnqueueResult.Queued(queue.name(), 1, Duration.ZERO));
    }

    @Override
    public QueueSettings settings(String queue) {
        return queues.find(queue).map(QueueConfig::settings).orElseGet(() -> new QueueSettings(queue,
                Duration.ofMinutes(5), Duration.ofSeconds(15), Duration.ofSeconds(30), "default"));
    }

    @Override
    public Optional<EnqueueResult.Queued> position(CallId callId) {
        List<Map<String, Object>> mine = jdbc.queryForList("select queue_name from queue_entry where call_id = ?",
                callId.value());
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        String queue = (String) mine.get(0).get("queue_name");
        Instant now = clock.instant();
        List<WaitingCall> waiting = jdbc.query("select call_id, priority, entered_at from queue_entry"
                + " where queue_name = ? and state <> 'OFFERED'", (rs, n) -> new WaitingCall(rs.getString(1), queue,
                null, rs.getInt(2), Map.of(), rs.getTimestamp(3).toInstant()), queue);
        Optional<WaitingCall> self = waiting.stream().filter(c -> c.callId().equals(callId.value())).findFirst();
        if (self.isEmpty()) {
            return Optional.of(new EnqueueResult.Queued(queue, 1, Duration.ZERO));
        }
        long mineScore = self.get().effectivePriority(now, properties.priorityAging());
        int ahead = (int) waiting.stream().filter(c -> !c.callId().equals(callId.value())).filter(c -> {
            long score = c.effectivePriority(now, properties.priorityAging());
            return score > mineScore || (score == mineScore && c.enteredAt().isBefore(self.get().enteredAt()));
        }).count();
        int position = ahead + 1;
        return Optional.of(new EnqueueResult.Queued(queue, position,
                estimator.estimate(queue, position, loggedInMembers(queue))));
    }

    @Override
    @Transactional
    public void offerRinging(CallId callId, String agentId) {
        agents.change(agentId, EnumSet.of(AgentState.RESERVED), callId.value(), Change.to(AgentState.RINGING, null));
    }

    @Override
    @Transactional
    public void offerAnswered(CallId callId, String agentId) {
        var changed = agents.change(agentId, EnumSet.of(AgentState.RESERVED, AgentState.RINGING), callId.value(),
                new Change(AgentState.ON_CALL, null, "missed_offers = 0"));
        if (changed.isEmpty()) {
            return;
        }
        List<Map<String, Object>> entry = jdbc.queryForList("select queue_name, caller, entered_at, ranking"
                + " from queue_entry where call_id = ?", callId.value());
        jdbc.update("delete from queue_entry where call_id = ?", callId.value());
        if (!entry.isEmpty()) {
            String queue = (String) entry.get(0).get("queue_name");
            // data2 keeps why this agent (strategy and ranking rules), data3 the caller (for the sticky strategy).
            long waited = waited(entry.get(0));
            queueLog.write(callId.value(), queue, agentId, "CONNECT", Long.toString(waited),
                    (String) entry.get(0).get("ranking"), (String) entry.get(0).get("caller"));
            events.publishEvent(new CallConnected(callId, queue, agentId, waited, clock.instant()));
        }
    }

    @Override
    @Transactional
    public void offerFailed(CallId callId, String agentId, AgentLegOutcome outcome) {
        List<Map<String, Object>> entry = jdbc.queryForList("select queue_name from queue_entry where call_id = ?",
                callId.value());
        String queue = entry.isEmpty() ? null : (String) entry.get(0).get("queue_name");
        int maxMissed = queue == null ? Integer.MAX_VALUE
                : queues.find(queue).map(QueueConfig::maxMissedOffers).orElse(Integer.MAX_VALUE);
        Integer missed = jdbc.query("select missed_offers from agent where id = ?", rs -> rs.next() ? rs.getInt(1)
                : null, agentId);
        boolean pause = missed != null && missed + 1 >= maxMissed;
        var changed = agents.change(agentId, EnumSet.of(AgentState.RESERVED, AgentState.RINGING), callId.value(),
                new Change(pause ? AgentState.PAUSED : AgentState.AVAILABLE,
                        pause ? "missed " + (missed + 1) + " offers" : null,
                        "current_call = null, missed_offers = missed_offers + 1"));
        jdbc.update("update queue_entry set state = 'HELD', agent_id = null where call_id = ? and agent_id = ?",
                callId.value(), agentId);
        if (changed.isPresent() && queue != null) {
            queueLog.write(callId.value(), queue, agentId, "RINGNOANSWER", outcome.name(), null, null);
        }
        dispatcher.trigger();
    }

    @Override
    @Transactional
    public void leave(CallId callId, QueueExit reason) {
        List<Map<String, Object>> entry = jdbc.queryForList("select queue_name, entered_at, agent_id from queue_entry"
                + " where call_id = ?", callId.value());
        if (!entry.isEmpty()) {
            jdbc.update("delete from queue_entry where call_id = ?", callId.value());
            queueLog.write(callId.value(), (String) entry.get(0).get("queue_name"), null, reason.name(),
                    Long.toString(waited(entry.get(0))), null, null);
        }
        // Whoever is still reserved or ringing for this call is free again (the hang-up raced the offer).
        for (String agentId : jdbc.queryForList("select id from agent where current_call = ?", String.class,
                callId.value())) {
            agents.change(agentId, EnumSet.of(AgentState.RESERVED, AgentState.RINGING), callId.value(),
                    new Change(AgentState.AVAILABLE, null, "current_call = null"));
        }
        dispatcher.trigger();
    }

    @Override
    @Transactional
    public List<String> callLost(CallId callId) {
        List<String> agentsHeld = jdbc.queryForList("select id from agent where current_call = ?", String.class,
                callId.value());
        leave(callId, QueueExit.CALL_LOST);
        for (String agentId : jdbc.queryForList("select id from agent where current_call = ? and state = 'ON_CALL'",
                String.class, callId.value())) {
            completed(callId, agentId);
        }
        // Anything left holding the call (a state the transitions above do not cover) is released outright.
        for (String agentId : jdbc.queryForList("select id from agent where current_call = ?", String.class,
                callId.value())) {
            jdbc.update("update agent set current_call = null where id = ? and current_call = ?", agentId,
                    callId.value());
        }
        return agentsHeld;
    }

    @Override
    @Transactional
    public void completed(CallId callId, String agentId) {
        List<Map<String, Object>> connect = jdbc.queryForList("select queue_name, data1 from queue_log where call_id = ?"
                + " and event = 'CONNECT' and agent_id = ? order by id desc fetch first 1 rows only", callId.value(),
                agentId);
        String queue = connect.isEmpty() ? null : (String) connect.get(0).get("queue_name");
        Duration wrap = queue == null ? Duration.ZERO
                : queues.find(queue).map(QueueConfig::wrapUp).orElse(Duration.ZERO);
        Instant now = clock.instant();
        Instant since = jdbc.query("select state_since from agent where id = ? and current_call = ?",
                rs -> rs.next() ? rs.getTimestamp(1).toInstant() : null, agentId, callId.value());
        if (since == null) {
            return;
        }
        long talk = Math.max(0, Duration.between(since, now).toSeconds());
        Instant until = now.plus(wrap);
        java.sql.Date today = java.sql.Date.valueOf(now.atZone(properties.zone()).toLocalDate());
        var changed = agents.change(agentId, EnumSet.of(AgentState.ON_CALL), callId.value(),
                new Change(AgentState.WRAP_UP, null, "current_call = null, last_call_end = ?, wrap_up_until = ?,"
                        // "Today" is the ACD's day: the counters start again on the first call of a new day.
                        + " calls_today = case when stats_day = ? then calls_today + 1 else 1 end,"
                        + " talk_seconds_today = case when stats_day = ? then talk_seconds_today + ? else ? end,"
                        + " stats_day = ?", Timestamp.from(now), Timestamp.from(until), today, today, talk, talk,
                        today));
        if (changed.isEmpty()) {
            return;
        }
        if (queue != null) {
            queueLog.write(callId.value(), queue, agentId, "COMPLETE", (String) connect.get(0).get("data1"),
                    Long.toString(talk), null);
        }
        AfterCommit.run(() -> wrapUp.schedule(agentId, until));
    }

    private int loggedInMembers(String queue) {
        Integer n = jdbc.queryForObject("select count(*) from queue_member m join agent a on a.id = m.agent_id"
                + " where m.queue_name = ? and a.registered and a.enabled and a.state not in ('OFFLINE', 'PAUSED')",
                Integer.class, queue);
        return n == null ? 0 : n;
    }

    private long waited(Map<String, Object> entry) {
        Object at = entry.get("entered_at");
        Instant entered = at instanceof Timestamp ts ? ts.toInstant()
                : at instanceof java.time.OffsetDateTime odt ? odt.toInstant() : clock.instant();
        return Math.max(0, Duration.between(entered, clock.instant()).toSeconds());
    }
}
