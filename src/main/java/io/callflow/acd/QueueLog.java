package io.callflow.acd;

import java.sql.Timestamp;
import java.time.Clock;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Appends to the queue event log ({@code queue_log}), from which every queue statistic is computed. */
@Component
class QueueLog {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    QueueLog(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    void write(String callId, String queue, String agentId, String event, String data1, String data2, String data3) {
        jdbc.update("insert into queue_log (event_time, call_id, queue_name, agent_id, event, data1, data2, data3)"
                + " values (?,?,?,?,?,?,?,?)", Timestamp.from(clock.instant()), callId, queue, agentId, event, data1,
                data2, data3);
    }
}
