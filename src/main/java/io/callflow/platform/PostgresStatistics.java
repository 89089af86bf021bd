package io.callflow.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Keeps PostgreSQL's planner statistics current for Callflow's busiest tables: it asks autovacuum to revisit them
 * after a fixed number of changes rather than a share of the table, and analyzes tables after bulk loads. Without
 * statistics the planner takes every table for one row and picks nested loops that read a 500-agent table 50 times
 * per call (5-50 ms instead of 0.1 ms; docs/configuration.md, "PostgreSQL"). No-op on other databases.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
public class PostgresStatistics implements ApplicationRunner {

    /**
     * Tables whose rows churn with every call: a few hundred live rows, thousands of changes a minute. The default
     * autovacuum trigger (20 % of the table changed) then means every few seconds, but only after the first analyze.
     */
    static final List<String> CHURNING_TABLES = List.of("act_ru_execution", "act_ru_variable", "act_ru_event_subscr",
            "act_ru_job", "act_ru_task", "agent", "queue_entry", "call_record");
    private static final Pattern TABLE_NAME = Pattern.compile("[a-z_]+");
    private static final Logger log = LoggerFactory.getLogger(PostgresStatistics.class);

    private final DataSource dataSource;
    private final boolean tuneAutovacuum;

    PostgresStatistics(DataSource dataSource,
            @Value("${callflow.database.tune-autovacuum:true}") boolean tuneAutovacuum) {
        this.dataSource = dataSource;
        this.tuneAutovacuum = tuneAutovacuum;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (tuneAutovacuum) {
            // Thresholds of 1,000 changed rows (plus 2 % of the table), so a busy table is revisited on each
            // autovacuum round (autovacuum_naptime) rather than once it has grown by a fifth.
            execute("autovacuum settings", CHURNING_TABLES.stream().map(table -> "alter table " + table + " set"
                    + " (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0.02,"
                    + " autovacuum_analyze_threshold = 1000, autovacuum_analyze_scale_factor = 0.02)").toList());
        }
        // No analyze here: right after a start the engine's tables are often empty, and statistics saying so make
        // every foreign-key check of a DELETE read the whole table once calls flow (until autovacuum looks again).
    }

    /** Refreshes the planner statistics of the given tables now (after a bulk load); no-op off PostgreSQL. */
    public void analyze(List<String> tables) {
        tables.forEach(table -> {
            if (!TABLE_NAME.matcher(table).matches()) {
                throw new IllegalArgumentException("not a table name: " + table);
            }
        });
        execute("statistics", List.of("analyze " + String.join(", ", tables)));
    }

    private void execute(String what, List<String> statements) {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.getMetaData().getDatabaseProductName().equals("PostgreSQL")) {
                return;
            }
            connection.setAutoCommit(true);
            for (String sql : statements) {
                try (var statement = connection.createStatement()) {
                    statement.execute(sql);
                } catch (SQLException e) {
                    // Typically a table owned by another role: the database still works, with default settings.
                    log.warn("PostgreSQL {} not applied ({}); a database owner can run: {}", what,
                            e.getMessage().lines().findFirst().orElse(""), sql);
                }
            }
        } catch (SQLException e) {
            log.warn("PostgreSQL {} skipped: {}", what, e.getMessage());
        }
    }
}
