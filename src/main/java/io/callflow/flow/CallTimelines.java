package io.callflow.flow;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Builds a call's timeline from the engine's activity history ({@link CallPaths}), the ACD's queue log and agent
 * state log, and the operators' actions ({@code call_action}), for live and finished calls alike.
 */
@Service
public class CallTimelines {

    private static final Comparator<CallTimeline.Entry> IN_TIME = Comparator.comparing(CallTimeline.Entry::at,
            Comparator.nullsLast(Comparator.naturalOrder()));

    private final JdbcTemplate jdbc;
    private final CallPaths paths;

    CallTimelines(JdbcTemplate jdbc, CallPaths paths) {
        this.jdbc = jdbc;
        this.paths = paths;
    }

    /** The call's timeline, or empty when there is no record of the call. */
    public Optional<CallTimeline> timeline(String callId) {
        List<Timestamp> ends = jdbc.queryForList("select ended_at from call_record where call_id = ?",
                Timestamp.class, callId);
        if (ends.isEmpty()) {
            return Optional.empty();
        }
        List<CallTimeline.Entry> entries = new ArrayList<>();
        paths.path(callId).ifPresent(path -> path.steps().forEach(step -> entries.add(new CallTimeline.Entry(
                step.startedAt(), step.endedAt(), "flow", step.type(), step.activityId(), null, null,
                step.canceled() ? joined(step.name(), "interrupted") : step.name()))));
        entries.addAll(jdbc.query("select event_time, event, queue_name, agent_id, data1, data2 from queue_log"
                + " where call_id = ? order by id", (rs, row) -> new CallTimeline.Entry(instant(rs.getTimestamp(1)),
                null, "queue", rs.getString(2), null, rs.getString(3), rs.getString(4),
                joined(rs.getString(5), rs.getString(6))), callId));
        entries.addAll(jdbc.query("select event_time, to_state, agent_id, reason from agent_state_log"
                + " where call_id = ? order by id", (rs, row) -> new CallTimeline.Entry(instant(rs.getTimestamp(1)),
                null, "agent", rs.getString(2), null, null, rs.getString(3), rs.getString(4)), callId));
        entries.addAll(jdbc.query("select at, action, actor, detail from call_action where call_id = ? order by id",
                (rs, row) -> new CallTimeline.Entry(instant(rs.getTimestamp(1)), null, "operator", rs.getString(2),
                        null, null, null, joined("by " + rs.getString(3), rs.getString(4))), callId));
        entries.addAll(jdbc.query("select started_at, started_by from call_recording where call_id = ?",
                (rs, row) -> new CallTimeline.Entry(instant(rs.getTimestamp(1)), null, "recording", "RECORDING_STARTED",
                        null, null, null, "by " + rs.getString(2)), callId));
        entries.addAll(jdbc.query("select paused_at, resumed_at, paused_by, resumed_by from recording_pause"
                + " where call_id = ? order by id", (rs, row) -> new CallTimeline.Entry(instant(rs.getTimestamp(1)),
                        instant(rs.getTimestamp(2)), "recording", "RECORDING_PAUSED", null, null, null,
                        joined("paused by " + rs.getString(3), rs.getString(4) == null ? null
                                : "resumed by " + rs.getString(4))), callId));
        // Stable sort: entries at the same instant keep their source's own order.
        entries.sort(IN_TIME);
        return Optional.of(new CallTimeline(callId, ends.get(0) == null, List.copyOf(entries)));
    }

    private static String joined(String... parts) {
        String text = Stream.of(parts).filter(Objects::nonNull).filter(part -> !part.isBlank())
                .collect(Collectors.joining("; "));
        return text.isEmpty() ? null : text;
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
