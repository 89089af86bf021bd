package io.callflow.acd;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.callflow.CallflowApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Routing decision plus reservation on PostgreSQL with 1,000 agents, 100 queues and 1,000 waiting calls
 * (bench/acd/run.sh). Latency: one agent frees up and the dispatcher ranks and reserves; throughput: 500 agents
 * free up at once. Prints medians and p99 of the measured rounds.
 */
public final class AcdBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            var dataDir = java.nio.file.Files.createTempDirectory("callflow-bench");
            ConfigurableApplicationContext app = new SpringApplicationBuilder(CallflowApplication.class)
                    .profiles("postgres")
                    .run("--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                            "--spring.datasource.username=postgres", "--spring.datasource.password=postgres",
                            "--server.port=0", "--callflow.content.hot-reload=false",
                            "--callflow.sip.port=0",
                            "--callflow.data-dir=" + dataDir, "--logging.level.root=warn",
                            "--camunda.bpm.job-execution.enabled=false");
            try {
                run(app, rounds);
            } finally {
                app.close();
            }
        }
    }

    private static void run(ConfigurableApplicationContext app, int rounds) {
        JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
        Dispatcher dispatcher = app.getBean(Dispatcher.class);
        Clock clock = app.getBean(Clock.class);
        Random random = new Random(42);
        String[] strategies = Provisioning.STRATEGIES.toArray(String[]::new);
        Arrays.sort(strategies);
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update("insert into skill (name) values ('s0'), ('s1'), ('s2'), ('s3'), ('s4')");
        for (int q = 0; q < 100; q++) {
            jdbc.update("insert into call_queue (name, strategy, join_when_empty) values (?, ?, true)", "bq-" + q,
                    strategies[q % strategies.length]);
        }
        List<Object[]> agents = new ArrayList<>();
        List<Object[]> skills = new ArrayList<>();
        List<Object[]> members = new ArrayList<>();
        for (int a = 0; a < 1000; a++) {
            agents.add(new Object[] {"ba-" + a, "Agent " + a, "9" + a, now});
            skills.add(new Object[] {"ba-" + a, "s" + (a % 5), 1 + random.nextInt(10)});
            for (int k = 0; k < 3; k++) {
                members.add(new Object[] {"bq-" + ((a + 37 * k) % 100), "ba-" + a, k});
            }
        }
        jdbc.batchUpdate("insert into agent (id, name, sip_user, state, registered, state_since) values"
                + " (?,?,?, 'OFFLINE', true, ?)", agents);
        jdbc.batchUpdate("insert into agent_skill (agent_id, skill, proficiency) values (?,?,?)", skills);
        jdbc.batchUpdate("insert into queue_member (queue_name, agent_id, penalty) values (?,?,?)", members);
        for (int c = 0; c < 1000; c++) {
            addCall(jdbc, random, "bc-" + c, clock.instant());
        }
        jdbc.update("analyze");

        // Warm-up, then latency: one agent frees up, the dispatcher decides and reserves.
        long[] latencies = new long[rounds];
        int reserved = 0;
        for (int i = -200; i < rounds; i++) {
            String agent = "ba-" + random.nextInt(1000);
            jdbc.update("update agent set state = 'AVAILABLE', current_call = null where id = ?", agent);
            long start = System.nanoTime();
            int made = dispatcher.dispatch();
            long took = System.nanoTime() - start;
            if (i >= 0) {
                latencies[i] = took;
                reserved += made;
            }
            // Back to the steady state: the reserved call leaves, a new one arrives, the agent goes offline.
            String call = jdbc.query("select current_call from agent where id = ?", rs -> rs.next()
                    ? rs.getString(1) : null, agent);
            jdbc.update("update agent set state = 'OFFLINE', current_call = null where id = ?", agent);
            if (call != null) {
                jdbc.update("delete from queue_entry where call_id = ?", call);
                addCall(jdbc, random, "bn-" + (i + 200), clock.instant());
            }
        }
        Arrays.sort(latencies);
        System.out.printf("acd.latency rounds=%d reserved=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
                rounds, reserved, ms(latencies, 0.50), ms(latencies, 0.90), ms(latencies, 0.99),
                latencies[latencies.length - 1] / 1e6);

        // Throughput: 500 agents free up at once.
        for (int run = 1; run <= 3; run++) {
            jdbc.update("update agent set state = 'OFFLINE', current_call = null where id like 'ba-%'");
            jdbc.update("update queue_entry set state = 'WAITING', agent_id = null");
            jdbc.update("update agent set state = 'AVAILABLE' where id in (select id from agent where id like 'ba-%'"
                    + " order by id fetch first 500 rows only)");
            long start = System.nanoTime();
            int made = dispatcher.dispatch();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("acd.throughput run=%d free_agents=500 waiting_calls=1000 reserved=%d seconds=%.3f"
                    + " assignments_per_s=%.0f%n", run, made, seconds, made / seconds);
        }
    }

    private static void addCall(JdbcTemplate jdbc, Random random, String callId, Instant now) {
        String skill = random.nextInt(4) == 0 ? "s" + random.nextInt(5) + ":" + (1 + random.nextInt(5)) : null;
        jdbc.update("insert into queue_entry (call_id, queue_name, caller, priority, required_skills, entered_at,"
                + " state) values (?,?,?,?,?,?, 'WAITING')", callId, "bq-" + random.nextInt(100),
                "+49" + random.nextInt(1_000_000), random.nextInt(3) * 10, skill,
                Timestamp.from(now.minusSeconds(random.nextInt(600))));
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(quantile * sorted.length))] / 1e6;
    }
}
