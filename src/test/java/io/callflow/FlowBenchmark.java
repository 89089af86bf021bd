package io.callflow;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.sun.management.OperatingSystemMXBean;
import io.callflow.support.Bench;
import io.callflow.support.Sipp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Load on the whole platform (bench/flow/run.sh): SIPp callers at rising rates against SIPp agents registered with
 * digest auth, on PostgreSQL, through the default flow minus the menu (bench/flow/bench-call.bpmn). Per rate it
 * prints the calls placed, connected to an agent and failed, the setup latency from the trunk's INVITE to the
 * agent's INVITE (p50, p99), and the process CPU; then the heap per 1,000 active calls.
 */
public final class FlowBenchmark {

    public static void main(String[] args) throws Exception {
        String[] rates = (args.length > 0 ? args[0] : "25,50,100,200").split(",");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int agents = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        Path root = prepareContent(agents);
        int sipPort = Sipp.freePort();
        Path pgData = root.resolve("pgdata");
        var builder = Bench.postgres(pgData);
        // -Dbench.pgLog=<directory>: PostgreSQL logs every statement there, to count statements per call.
        String pgLog = System.getProperty("bench.pgLog");
        if (pgLog != null) {
            builder.setServerConfig("log_statement", "all").setServerConfig("logging_collector", "on")
                    .setServerConfig("log_directory", pgLog);
        }
        // -Dbench.pgStats=true: pg_stat_statements, to print each rate's costliest statements (total execution time).
        if (Boolean.getBoolean("bench.pgStats")) {
            builder.setServerConfig("shared_preload_libraries", "pg_stat_statements")
                    .setServerConfig("pg_stat_statements.track_planning", "on");
        }
        // -Dbench.pgExplain=<directory>: auto_explain logs the plan of every statement slower than 2 ms (or
        // -Dbench.pgExplainMs, whole milliseconds: PostgreSQL rounds a fraction, 0 logs every statement) there.
        String pgExplain = System.getProperty("bench.pgExplain");
        if (pgExplain != null) {
            builder.setServerConfig("session_preload_libraries", "auto_explain")
                    .setServerConfig("auto_explain.log_min_duration",
                            System.getProperty("bench.pgExplainMs", "2") + "ms")
                    .setServerConfig("auto_explain.log_analyze", "on").setServerConfig("auto_explain.log_buffers", "on")
                    .setServerConfig("logging_collector", "on").setServerConfig("log_directory", pgExplain);
        }
        try (EmbeddedPostgres postgres = builder.start()) {
            ConfigurableApplicationContext app = Bench.startOnPostgres(postgres, settings(root, sipPort));
            try {
                run(app, root, pgData, sipPort, rates, seconds, agents);
            } finally {
                app.close();
            }
        }
        // JAIN-SIP's event scanner thread outlives the stopped stack; exec:java would wait for it forever.
        System.exit(0);
    }

    /**
     * A temporary content root with the benchmark flow, ten queues of {@code agents} agents (bench-0..) whose SIP
     * users are 5000.. and the rules that spread callers over the queues by their last digit; agents.csv for SIPp.
     */
    static Path prepareContent(int agents) throws IOException {
        Path root = Files.createTempDirectory("callflow-flow-bench");
        Files.createDirectories(root.resolve("processes"));
        Files.createDirectories(root.resolve("rules"));
        Files.copy(Path.of("bench/flow/bench-call.bpmn"), root.resolve("processes/bench-call.bpmn"));
        Files.writeString(root.resolve("rules/business-hours.drl"), "package io.callflow.rules\n");
        // Ten queues of agents; the caller's last digit picks the queue, as a skills or menu split would.
        int queueCount = 10;
        StringBuilder yaml = new StringBuilder("agents:\n");
        StringBuilder csv = new StringBuilder("SEQUENTIAL\n");
        List<StringBuilder> members = new ArrayList<>();
        for (int q = 0; q < queueCount; q++) {
            members.add(new StringBuilder());
        }
        for (int i = 0; i < agents; i++) {
            String user = Integer.toString(5000 + i);
            yaml.append("  - { id: bench-").append(i).append(", sipUser: \"").append(user)
                    .append("\", password: pw").append(user).append(" }\n");
            // SIPp expands a field holding the whole keyword; a field nested inside [authentication] is not expanded.
            csv.append(user).append(";[authentication username=").append(user).append(" password=pw").append(user)
                    .append("]\n");
            StringBuilder queueMembers = members.get(i % queueCount);
            queueMembers.append(queueMembers.length() == 0 ? "" : ", ").append("bench-").append(i);
        }
        yaml.append("queues:\n");
        StringBuilder drl = new StringBuilder("""
                package io.callflow.rules
                import io.callflow.routing.CallFacts
                import io.callflow.routing.QueueChoice
                """);
        for (int q = 0; q < queueCount; q++) {
            yaml.append("  - { name: bench-").append(q).append(", strategy: longest-idle, joinWhenEmpty: true,")
                    .append(" wrapUpSeconds: 0, ringTimeoutSeconds: 10, maxWaitSeconds: 600, members: [ ")
                    .append(members.get(q)).append(" ] }\n");
            drl.append("rule \"Benchmark callers ending in ").append(q).append("\"\nwhen CallFacts( did == \"300\",")
                    .append(" caller matches \".*").append(q).append("\" )\nthen insert(new QueueChoice(\"bench-")
                    .append(q).append("\", 100));\nend\n");
        }
        yaml.append("dids:\n  - { did: \"300\", flow: bench-call }\n");
        Files.writeString(root.resolve("provisioning.yml"), yaml);
        Files.writeString(root.resolve("agents.csv"), csv);
        Files.writeString(root.resolve("rules/bench.drl"), drl);
        return root;
    }

    /** Callflow's settings for a benchmark on the prepared content, SIP on {@code sipPort}. */
    static List<String> settings(Path root, int sipPort) {
        return List.of("--spring.datasource.hikari.maximum-pool-size=40", "--callflow.data-dir=" + root.resolve("data"),
                "--callflow.content.processes-dir=" + root.resolve("processes"),
                "--callflow.content.rules-dir=" + root.resolve("rules"),
                "--callflow.acd.provisioning-file=" + root.resolve("provisioning.yml"),
                "--callflow.sip.port=" + sipPort, "--callflow.sip.bind-address=127.0.0.1",
                "--callflow.media.bind-address=127.0.0.1", "--callflow.media.rtp-port-min=20000",
                "--callflow.media.rtp-port-max=29999");
    }

    /**
     * Registers the agents' phones (one SIPp with digest auth), waits until they are available and starts the SIPp
     * that answers their calls; the caller destroys the returned process.
     */
    static Process registerAgents(JdbcTemplate jdbc, Path root, int sipPort, int agents) throws Exception {
        int uasPort = Sipp.freePort();
        Bench.sipp(root, "bench/flow/agents-register.xml", Sipp.freePort(), sipPort, "-inf", root.resolve("agents.csv").toString(),
                "-m", Integer.toString(agents), "-r", "100", "-set", "uas", Integer.toString(uasPort)).waitFor();
        long deadline = System.currentTimeMillis() + 60_000;
        while (jdbc.queryForObject("select count(*) from agent where id like 'bench-%' and state = 'AVAILABLE'",
                Integer.class) < agents && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        System.out.printf("flow.agents registered_available=%d%n", jdbc.queryForObject(
                "select count(*) from agent where id like 'bench-%' and state = 'AVAILABLE'", Integer.class));
        Process uas = Bench.sipp(root, "src/test/sipp/agent-answer.xml", uasPort, sipPort, "-m", "100000000", "-s", "agent",
                "-mp", Integer.toString(Sipp.freePort()));
        return uas;
    }

    /** CPU time (ns) of this JVM's threads, summed by kind: the name without its numbers. */
    private static Map<String, Long> threadCpu() {
        var mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> byKind = new TreeMap<>();
        for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
            long nanos = info == null ? -1 : mx.getThreadCpuTime(info.getThreadId());
            if (nanos > 0) {
                String name = info.getThreadName();
                String kind = name.startsWith("call-lane") ? "jvm.lanes" : name.startsWith("media") ? "jvm.media"
                        : name.contains("UDPMessageChannel") || name.startsWith("sip") || name.contains("SipTimer")
                        ? "jvm.sip" : name.startsWith("JobExecutor") ? "jvm.jobs" : "jvm.other";
                byKind.merge(kind, nanos, Long::sum);
            }
        }
        return byKind;
    }

    /** CPU time (ns) of the processes this benchmark started: its PostgreSQL cluster and the agents' SIPp. */
    private static Map<String, Long> processCpu(Path pgData, Process agentsSipp) {
        return new TreeMap<>(Map.of("postgres", Bench.postgresCpu(pgData), "sipp.agents",
                Bench.processCpu(agentsSipp.pid())));
    }

    /** Row writes (inserts + updates + deletes) per table, and the database's commits, from pg_stat. */
    private static Map<String, Long> tableWrites(JdbcTemplate jdbc) {
        Map<String, Long> writes = new HashMap<>();
        jdbc.query("select relname, n_tup_ins + n_tup_upd + n_tup_del, seq_scan, seq_tup_read from pg_stat_user_tables",
                rs -> {
                    writes.put(rs.getString(1), rs.getLong(2));
                    writes.put("seqscan:" + rs.getString(1), rs.getLong(3));
                    writes.put("seqread:" + rs.getString(1), rs.getLong(4));
                });
        writes.put("(commits)", jdbc.queryForObject(
                "select xact_commit from pg_stat_database where datname = current_database()", Long.class));
        return writes;
    }

    private static void run(ConfigurableApplicationContext app, Path root, Path pgData, int sipPort, String[] rates,
            int seconds,
            int agents) throws Exception {
        JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
        boolean pgStats = Boolean.getBoolean("bench.pgStats");
        if (pgStats) {
            jdbc.execute("create extension if not exists pg_stat_statements");
        }
        MeterRegistry meters = app.getBean(MeterRegistry.class);
        Process uas = registerAgents(jdbc, root, sipPort, agents);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try {
            // Warm-up (not reported): the JIT compiles the call path, pools fill. Rounds of 200 calls until the CPU per
            // call of two rounds in a row differs by less than a tenth (at most eight rounds).
            double previous = Double.NaN;
            for (int round = 1; round <= 8; round++) {
                long cpuBefore = os.getProcessCpuTime();
                long recordsBefore = jdbc.queryForObject("select count(*) from call_record", Long.class);
                Bench.sipp(root, "bench/flow/caller.xml", Sipp.freePort(), sipPort, "-s", "300", "-r", "20", "-m",
                        "200", "-d", "1000", "-l", "100000", "-mp", Integer.toString(Sipp.freePort()))
                        .waitFor(120, TimeUnit.SECONDS);
                Thread.sleep(2000);
                double perCall = (os.getProcessCpuTime() - cpuBefore) / 1e6 / Math.max(1,
                        jdbc.queryForObject("select count(*) from call_record", Long.class) - recordsBefore);
                System.out.printf("flow.warmup round=%d jvm_ms_per_call=%.2f load_avg=%.2f%n", round, perCall,
                        Bench.loadAverage());
                if (Math.abs(perCall - previous) < 0.1 * perCall) {
                    break;
                }
                previous = perCall;
            }
            // Planner statistics: when autovacuum last analyzed the busiest tables (plans depend on it).
            jdbc.query("""
                    select relname, n_live_tup, n_dead_tup, n_mod_since_analyze, extract(epoch from now()
                      - coalesce(last_analyze, last_autoanalyze))::int from pg_stat_user_tables where relname in
                      ('agent', 'queue_member', 'queue_entry', 'act_ru_variable', 'act_ru_execution')""", rs -> {
                System.out.printf("flow.stats %-18s live=%d dead=%d modified_since_analyze=%d analyzed_s_ago=%s%n",
                        rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5));
            });
            for (String rateText : rates) {
                int rate = Integer.parseInt(rateText.trim());
                int calls = rate * seconds;
                Timer setup = meters.find("callflow.call.setup").timer();
                CountAtBucket[] before = setup.takeSnapshot().histogramCounts();
                long count0 = setup.count();
                List<String> parts = List.of("callflow.sip.admission", "callflow.call.lane.wait", "callflow.flow.start");
                List<CountAtBucket[]> partsBefore = new ArrayList<>();
                List<Long> partsCount0 = new ArrayList<>();
                for (String part : parts) {
                    Timer timer = meters.find(part).timer();
                    partsBefore.add(timer.takeSnapshot().histogramCounts());
                    partsCount0.add(timer.count());
                }
                long records0 = jdbc.queryForObject("select count(*) from call_record", Long.class);
                Map<String, Long> writes0 = tableWrites(jdbc);
                java.sql.Timestamp since = new java.sql.Timestamp(System.currentTimeMillis());
                if (pgStats) {
                    jdbc.execute("select pg_stat_statements_reset()");
                }
                long cpu0 = os.getProcessCpuTime();
                Map<String, Long> threads0 = threadCpu();
                Map<String, Long> processes0 = processCpu(pgData, uas);
                long wall0 = System.nanoTime();
                Process caller = Bench.sipp(root, "bench/flow/caller.xml", Sipp.freePort(), sipPort, "-s", "300", "-r",
                        Integer.toString(rate), "-m", Integer.toString(calls), "-d", "1000", "-l", "100000",
                        "-mp", Integer.toString(Sipp.freePort()));
                boolean finished = caller.waitFor(seconds + 120L, TimeUnit.SECONDS);
                int exit = finished ? caller.exitValue() : -1;
                if (!finished) {
                    caller.destroyForcibly();
                }
                long settle = System.currentTimeMillis() + 30_000;
                while (System.currentTimeMillis() < settle && jdbc.queryForObject("select count(*) from call_record"
                        + " where ended_at is null", Long.class) > 0) {
                    Thread.sleep(200);
                }
                double wall = (System.nanoTime() - wall0) / 1e9;
                double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                Map<String, Long> threads = threadCpu();
                Map<String, Long> processes = processCpu(pgData, uas);
                long records = jdbc.queryForObject("select count(*) from call_record", Long.class) - records0;
                long connected = jdbc.queryForObject("select count(*) from (select call_id from call_record"
                        + " order by started_at desc fetch first " + Math.max(1, records) + " rows only) r join"
                        + " call_record c on c.call_id = r.call_id where c.agent is not null", Long.class);
                CountAtBucket[] after = setup.takeSnapshot().histogramCounts();
                long measured = setup.count() - count0;
                System.out.printf("flow.rate cps=%d calls=%d sipp_exit=%d call_records=%d connected_to_agent=%d"
                        + " failed=%d setup_p50_ms=%.2f setup_p99_ms=%.2f cpu_cores=%.2f wall_s=%.1f%n", rate, calls,
                        exit, records, connected, calls - connected, Bench.quantile(before, after, measured, 0.50),
                        Bench.quantile(before, after, measured, 0.99), cpu / wall, wall);
                // Where the setup time goes: the SIP layer's admission, waits for a lane thread, the flow's start.
                for (int i = 0; i < parts.size(); i++) {
                    Timer timer = meters.find(parts.get(i)).timer();
                    CountAtBucket[] now = timer.takeSnapshot().histogramCounts();
                    long n = timer.count() - partsCount0.get(i);
                    System.out.printf("flow.part %-26s p50_ms=%.2f p99_ms=%.2f n=%d%n", parts.get(i),
                            Bench.quantile(partsBefore.get(i), now, n, 0.50), Bench.quantile(partsBefore.get(i), now, n, 0.99), n);
                }
                // CPU per call: Callflow's threads by kind, and the processes it started (its PostgreSQL, the agents' SIPp).
                StringBuilder budget = new StringBuilder();
                threads.forEach((kind, nanos) -> budget.append(' ').append(kind).append('=').append(String.format(
                        "%.2f", (nanos - threads0.getOrDefault(kind, 0L)) / 1e6 / Math.max(1, records))));
                processes.forEach((name, nanos) -> budget.append(' ').append(name).append('=').append(String.format(
                        "%.2f", (nanos - processes0.getOrDefault(name, 0L)) / 1e6 / Math.max(1, records))));
                System.out.printf("flow.cpu ms_per_call:%s%n", budget);
                long pgNanos = processes.get("postgres") - processes0.get("postgres");
                System.out.printf("flow.cost cps=%d jvm_ms_per_call=%.2f postgres_ms_per_call=%.2f"
                        + " total_ms_per_call=%.2f load_avg=%.2f%n", rate, cpu * 1000 / Math.max(1, records),
                        pgNanos / 1e6 / Math.max(1, records), (cpu * 1e9 + pgNanos) / 1e6 / Math.max(1, records),
                        Bench.loadAverage());
                // What each call costs the database: commits and row writes per table (pg_stat counters). A backend
                // reports its counters at most once a second (PostgreSQL 15), so the last ones need that long.
                Thread.sleep(1000);
                Map<String, Long> writes = tableWrites(jdbc);
                long perCallBase = Math.max(1, records);
                StringBuilder line = new StringBuilder();
                writes.entrySet().stream().filter(e -> !e.getKey().equals("(commits)"))
                        .map(e -> Map.entry(e.getKey(), e.getValue() - writes0.getOrDefault(e.getKey(), 0L)))
                        .filter(e -> e.getValue() > 0).sorted(Map.Entry.comparingByValue(
                                Comparator.reverseOrder()))
                        .forEach(e -> line.append(' ').append(e.getKey()).append('=')
                                .append(String.format("%.1f", e.getValue() / (double) perCallBase)));
                System.out.printf("flow.db commits_per_call=%.1f rows_written_per_call:%s%n",
                        (writes.get("(commits)") - writes0.get("(commits)")) / (double) perCallBase, line);
                if (pgStats) {
                    long base = perCallBase;
                    jdbc.query("""
                            select calls, total_exec_time + total_plan_time t, left(regexp_replace(query, '\\s+', ' ',
                              'g'), 150) q from pg_stat_statements order by t desc fetch first 25 rows only""", rs -> {
                        System.out.printf("flow.sql us_per_call=%7.1f calls_per_call=%5.2f %s%n",
                                rs.getDouble(2) * 1000 / base, rs.getDouble(1) / base, rs.getString(3));
                    });
                    jdbc.query("select sum(calls), sum(total_exec_time + total_plan_time) from pg_stat_statements",
                            rs -> {
                                System.out.printf("flow.sql total statements_per_call=%.1f us_per_call=%.1f%n",
                                        rs.getDouble(1) / base, rs.getDouble(2) * 1000 / base);
                            });
                }
                // Median offset of each flow step from the process start.
                jdbc.query("""
                        select a.act_id_, round(percentile_cont(0.5) within group (order by extract(epoch from
                          a.start_time_ - p.start_time_) * 1000)::numeric, 1) start_ms,
                          round(percentile_cont(0.5) within group (order by extract(epoch from
                          a.end_time_ - a.start_time_) * 1000)::numeric, 1) took_ms, count(*) n
                        from act_hi_actinst a join act_hi_procinst p on p.id_ = a.proc_inst_id_
                        where p.start_time_ >= ? group by a.act_id_ order by 2""", rs -> {
                    System.out.printf("flow.step %-28s starts_at_ms=%s took_ms=%s n=%d%n", rs.getString(1),
                            rs.getString(2), rs.getString(3), rs.getInt(4));
                }, since);
                jdbc.query("""
                        select round(percentile_cont(0.5) within group (order by extract(epoch from l.event_time
                          - p.start_time_) * 1000)::numeric, 1), count(*)
                        from agent_state_log l join act_hi_procinst p on p.business_key_ = l.call_id
                        where l.to_state = 'RESERVED' and p.start_time_ >= ?""", rs -> {
                    System.out.printf("flow.step %-28s starts_at_ms=%s n=%d%n", "(ACD reservation committed)",
                            rs.getString(1), rs.getInt(2));
                }, since);
            }
            // Memory: hold calls for 20 s at 50 calls/s, about 1,000 at once, and compare the heap with idle.
            var memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            Thread.sleep(1000);
            long idle = memory.getHeapMemoryUsage().getUsed();
            Process holders = Bench.sipp(root, "bench/flow/caller.xml", Sipp.freePort(), sipPort, "-s", "300", "-r", "50", "-m",
                    "1000", "-d", "20000", "-l", "100000", "-mp", Integer.toString(Sipp.freePort()));
            Thread.sleep(21_000);
            Double active = meters.find("callflow.calls.active").gauge().value();
            System.gc();
            Thread.sleep(1000);
            long busy = memory.getHeapMemoryUsage().getUsed();
            holders.waitFor(90, TimeUnit.SECONDS);
            System.out.printf("flow.memory active_calls=%.0f heap_idle_mb=%.1f heap_busy_mb=%.1f"
                    + " heap_per_1000_calls_mb=%.1f%n", active, idle / 1048576.0, busy / 1048576.0,
                    active == null || active == 0 ? 0 : (busy - idle) / 1048576.0 / active * 1000);
        } finally {
            uas.destroyForcibly();
        }
    }
}
