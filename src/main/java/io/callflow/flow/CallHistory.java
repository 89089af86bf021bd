package io.callflow.flow;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Reads call records (table {@code call_record}): one call by id, or a paged search, newest first; stores a call's
 * wrap-up disposition.
 */
@Service
public class CallHistory {

    private final JdbcTemplate jdbc;

    CallHistory(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<CallRecordView> find(String callId) {
        return jdbc.query("select * from call_record where call_id = ?", CallHistory::view, callId).stream()
                .findFirst();
    }

    /** Stores the call's wrap-up code and note; false when there is no such call. */
    public boolean setDisposition(String callId, String code, String note) {
        return jdbc.update("update call_record set disposition = ?, disposition_note = ? where call_id = ?", code, note,
                callId) == 1;
    }

    public CallRecordPage search(CallRecordQuery query) {
        StringBuilder where = new StringBuilder(" where 1 = 1");
        List<Object> arguments = new ArrayList<>();
        if (query.from() != null) {
            where.append(" and started_at >= ?");
            arguments.add(Timestamp.from(query.from()));
        }
        if (query.to() != null) {
            where.append(" and started_at < ?");
            arguments.add(Timestamp.from(query.to()));
        }
        if (query.caller() != null) {
            // Any part of the number: callers arrive as +4930..., 030... or 4930... depending on the trunk.
            where.append(" and caller like ? escape '\\'");
            arguments.add("%" + likeEscaped(query.caller()) + "%");
        }
        exact(where, arguments, "did", query.did());
        exact(where, arguments, "queue_name", query.queue());
        exact(where, arguments, "agent", query.agent());
        exact(where, arguments, "outcome", query.outcome());
        long total = jdbc.queryForObject("select count(*) from call_record" + where, Long.class, arguments.toArray());
        List<Object> paged = new ArrayList<>(arguments);
        paged.add(query.size());
        paged.add((long) query.page() * query.size());
        List<CallRecordView> records = jdbc.query("select * from call_record" + where
                + " order by started_at desc, call_id limit ? offset ?", CallHistory::view, paged.toArray());
        return new CallRecordPage(records, query.page(), query.size(), total);
    }

    private static void exact(StringBuilder where, List<Object> arguments, String column, String value) {
        if (value != null) {
            where.append(" and ").append(column).append(" = ?");
            arguments.add(value);
        }
    }

    private static String likeEscaped(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static CallRecordView view(ResultSet rs, int row) throws SQLException {
        return new CallRecordView(rs.getString("call_id"), rs.getString("caller"), rs.getString("did"),
                rs.getString("trunk"), rs.getString("flow_key"), instant(rs, "started_at"),
                instant(rs, "answered_at"), instant(rs, "ended_at"), rs.getString("outcome"),
                rs.getString("hangup_cause"), rs.getString("queue_name"), rs.getString("agent"),
                rs.getString("menu_choice"), rs.getString("routing_rules"), rs.getInt("offer_attempts"),
                rs.getString("owner_node"), rs.getString("direction"),
                rs.getString("disposition"), rs.getString("disposition_note"), rs.getString("language"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp timestamp = rs.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }
}
