package io.callflow.acd;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Statistics per queue and per agent, computed from the queue event log and the agent state log. */
@Component
public class QueueStatistics {

    private static final Set<AgentState> BUSY = EnumSet.of(AgentState.RESERVED, AgentState.RINGING,
            AgentState.ON_CALL, AgentState.WRAP_UP);
    private static final Set<AgentState> ABSENT = EnumSet.of(AgentState.OFFLINE, AgentState.PAUSED);

    private final JdbcTemplate jdbc;
    private final QueueStore queues;
    private final Clock clock;
    private final AcdProperties properties;

    QueueStatistics(JdbcTemplate jdbc, QueueStore queues, Clock clock, AcdProperties properties) {
        this.jdbc = jdbc;
        this.queues = queues;
        this.clock = clock;
        this.properties = properties;
    }

    /** Every queue's figures since the start of the ACD's day (its time zone) plus its live state. */
    public List<QueueStats> today() {
        Instant now = clock.instant();
        Instant midnight = now.atZone(properties.zone()).toLocalDate().atStartOfDay(properties.zone()).toInstant();
        return jdbc.queryForList("select name from call_queue order by name", String.class).stream()
                .map(queue -> queue(queue, midnight, now)).toList();
    }

    /** The queues the agent is a member of. */
    public Set<String> queuesOf(String agentId) {
        return Set.copyOf(jdbc.queryForList("select queue_name from queue_member where agent_id = ?", String.class,
                agentId));
    }

    /** The queue's figures for [from, to) plus its live state. */
    public QueueStats queue(String queue, Instant from, Instant to) {
        QueueConfig config = queues.find(queue).orElseThrow(() -> new IllegalArgumentException("no queue " + queue));
        long threshold = config.serviceLevel().toSeconds();
        List<Map<String, Object>> events = jdbc.queryForList("select event, data1, data2 from queue_log"
                + " where queue_name = ? and event_time >= ? and event_time < ?", queue, Timestamp.from(from),
                Timestamp.from(to));
        int offered = 0, answered = 0, abandoned = 0, timedOut = 0, withinThreshold = 0, abandonedLate = 0;
        int callbacksRequested = 0, callbacksConnected = 0, callbacksCompleted = 0, callbacksFailed = 0;
        int callbacksExpired = 0, callbacksCancelled = 0;
        long waitSum = 0, talkSum = 0, completes = 0, longest = 0;
        for (Map<String, Object> e : events) {
            long data1 = number(e.get("data1"));
            switch ((String) e.get("event")) {
                case "ENTERQUEUE" -> offered++;
                case "CONNECT" -> {
                    answered++;
                    callbacksConnected += "callback".equals(e.get("data2")) ? 1 : 0;
                    waitSum += data1;
                    longest = Math.max(longest, data1);
                    if (data1 <= threshold) {
                        withinThreshold++;
                    }
                }
                case "ABANDON" -> {
                    abandoned++;
                    longest = Math.max(longest, data1);
                    if (data1 > threshold) {
                        abandonedLate++;
                    }
                }
                case "EXITWITHTIMEOUT" -> {
                    timedOut++;
                    longest = Math.max(longest, data1);
                }
                case "COMPLETE", "TRANSFER" -> {
                    completes++;
                    talkSum += number(e.get("data2"));
                }
                case "CALLBACK_REQUESTED" -> callbacksRequested++;
                case "CALLBACK_COMPLETED" -> callbacksCompleted++;
                case "CALLBACK_FAILED" -> callbacksFailed++;
                case "CALLBACK_EXPIRED" -> callbacksExpired++;
                case "CALLBACK_CANCELLED" -> callbacksCancelled++;
                default -> {
                }
            }
        }
        int counted = answered + abandonedLate;
        double sl = counted == 0 ? 100.0 : 100.0 * withinThreshold / counted;
        Duration aht = completes == 0 ? Duration.ZERO : Duration.ofSeconds(talkSum / completes);
        Instant now = clock.instant();
        List<Timestamp> waiting = jdbc.queryForList("select entered_at from queue_entry where queue_name = ?",
                Timestamp.class, queue);
        Duration longestNow = waiting.stream().map(t -> Duration.between(t.toInstant(), now)).max(Duration::compareTo)
                .orElse(Duration.ZERO);
        Integer loggedIn = jdbc.queryForObject("select count(*) from queue_member m join agent a on a.id = m.agent_id"
                + " where m.queue_name = ? and a.registered and a.state not in ('OFFLINE', 'PAUSED')", Integer.class,
                queue);
        Integer callbacksWaiting = jdbc.queryForObject("select count(*) from queue_entry where queue_name = ? and"
                + " kind = 'CALLBACK'", Integer.class, queue);
        double hours = Math.max(1, Duration.between(from, to).toSeconds()) / 3600.0;
        int needed = offered == 0 || aht.isZero() ? 0 : ErlangC.agentsNeeded(offered / hours, aht.toSeconds(),
                config.serviceLevelTarget() / 100.0, threshold);
        return new QueueStats(queue, from, to, offered, answered, abandoned, timedOut, withinThreshold, sl,
                Duration.ofSeconds(answered == 0 ? 0 : waitSum / answered), aht, Duration.ofSeconds(longest),
                waiting.size(), longestNow, loggedIn == null ? 0 : loggedIn, needed,
                new QueueStats.CallbackFigures(callbacksRequested, callbacksConnected, callbacksCompleted,
                        callbacksFailed, callbacksExpired, callbacksCancelled,
                        callbacksWaiting == null ? 0 : callbacksWaiting));
    }

    /** The agent's figures for [from, to): answered calls, talk time, and occupancy from the state log. */
    public AgentStats agent(String agentId, Instant from, Instant to) {
        List<Map<String, Object>> log = jdbc.queryForList("select event_time, from_state, to_state from agent_state_log"
                + " where agent_id = ? and event_time < ? order by event_time, id", agentId, Timestamp.from(to));
        AgentState state = AgentState.OFFLINE;
        Instant since = from;
        long busy = 0, present = 0;
        for (Map<String, Object> row : log) {
            Instant at = instant(row.get("event_time"));
            if (at.isAfter(from)) {
                long span = Duration.between(since, at).toMillis();
                busy += BUSY.contains(state) ? span : 0;
                present += ABSENT.contains(state) ? 0 : span;
                since = at;
            }
            state = AgentState.valueOf((String) row.get("to_state"));
        }
        long span = Duration.between(since, to).toMillis();
        busy += BUSY.contains(state) ? span : 0;
        present += ABSENT.contains(state) ? 0 : span;
        List<Map<String, Object>> calls = jdbc.queryForList("select event, data2 from queue_log where agent_id = ?"
                + " and event_time >= ? and event_time < ? and event in ('CONNECT', 'COMPLETE', 'TRANSFER')", agentId,
                Timestamp.from(from), Timestamp.from(to));
        int answered = (int) calls.stream().filter(c -> "CONNECT".equals(c.get("event"))).count();
        long talk = calls.stream().filter(c -> !"CONNECT".equals(c.get("event"))).mapToLong(c -> number(c.get("data2")))
                .sum();
        return new AgentStats(agentId, from, to, answered, Duration.ofSeconds(talk), Duration.ofMillis(present),
                present == 0 ? 0 : (double) busy / present);
    }

    private static long number(Object value) {
        return value == null ? 0 : Long.parseLong(value.toString());
    }

    private static Instant instant(Object value) {
        if (value instanceof Timestamp ts) {
            return ts.toInstant();
        }
        if (value instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant();
        }
        throw new IllegalStateException("unexpected time " + value);
    }
}
