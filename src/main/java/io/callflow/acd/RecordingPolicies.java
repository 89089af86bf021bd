package io.callflow.acd;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** Reads the queues' recording policies (provisioning and the admin API write them with the queue). */
@Service
public class RecordingPolicies {

    private final JdbcTemplate jdbc;

    RecordingPolicies(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The queue's policy; the standard one for an unknown queue or none ({@code null}). */
    public RecordingPolicy of(String queue) {
        if (queue == null) {
            return RecordingPolicy.standard(null);
        }
        return find(queue).orElseGet(() -> RecordingPolicy.standard(queue));
    }

    Optional<RecordingPolicy> find(String queue) {
        return jdbc.query("select name, recording_policy, recording_consent, recording_retention_days from call_queue"
                + " where name = ?", (rs, row) -> policy(rs), queue).stream().findFirst();
    }

    /** The queues that keep recordings for a limited number of days. */
    public List<RecordingPolicy> withRetention() {
        return jdbc.query("select name, recording_policy, recording_consent, recording_retention_days from call_queue"
                + " where recording_retention_days is not null", (rs, row) -> policy(rs));
    }

    private static RecordingPolicy policy(java.sql.ResultSet rs) throws java.sql.SQLException {
        int days = rs.getInt(4);
        return new RecordingPolicy(rs.getString(1), RecordingPolicy.Mode.parse(rs.getString(2)), rs.getBoolean(3),
                rs.wasNull() ? null : days);
    }
}
