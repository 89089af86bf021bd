package io.callflow.acd;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads queue configuration. */
@Component
class QueueStore {

    private final JdbcTemplate jdbc;

    QueueStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Optional<QueueConfig> find(String name) {
        return jdbc.query("select * from call_queue where name = ?", QueueStore::map, name).stream().findFirst();
    }

    static QueueConfig map(ResultSet rs, int row) throws SQLException {
        String holidays = rs.getString("holidays");
        Set<LocalDate> days = holidays == null || holidays.isBlank() ? Set.of()
                : Arrays.stream(holidays.split(",")).map(String::trim).map(LocalDate::parse).collect(Collectors.toSet());
        return new QueueConfig(rs.getString("name"), rs.getString("strategy"),
                Duration.ofSeconds(rs.getInt("ring_timeout_seconds")), Duration.ofSeconds(rs.getInt("max_wait_seconds")),
                Duration.ofSeconds(rs.getInt("wrap_up_seconds")), rs.getInt("max_missed_offers"),
                Duration.ofSeconds(rs.getInt("service_level_seconds")), rs.getInt("service_level_target"),
                Duration.ofSeconds(rs.getInt("announce_seconds")), rs.getString("music_class"),
                rs.getBoolean("join_when_empty"), BusinessHours.parse(rs.getString("business_hours")), days,
                rs.getString("last_agent_id"), rs.getString("calendar"));
    }
}
