package io.callflow.acd;

import java.time.Duration;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Estimated wait for a caller at a position: position x average handle time / agents logged in to the queue. The
 * handle time is the mean talk time of the queue's last 50 completed calls (the configured default until there are
 * any) - simple, explainable to a caller, and self-correcting as the day goes on.
 */
@Component
class WaitEstimator {

    private final JdbcTemplate jdbc;
    private final AcdProperties properties;

    WaitEstimator(JdbcTemplate jdbc, AcdProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    Duration estimate(String queue, int position, int agentsLoggedIn) {
        List<String> talks = jdbc.queryForList("select data2 from queue_log where queue_name = ? and event = 'COMPLETE'"
                + " order by id desc fetch first 50 rows only", String.class, queue);
        double handleSeconds = talks.isEmpty() ? properties.defaultHandleTime().toSeconds()
                : talks.stream().mapToLong(Long::parseLong).average().orElse(0);
        return Duration.ofSeconds(Math.round(position * handleSeconds / Math.max(1, agentsLoggedIn)));
    }
}
