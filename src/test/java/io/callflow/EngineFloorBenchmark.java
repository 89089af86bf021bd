package io.callflow;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.management.OperatingSystemMXBean;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.callflow.support.Bench;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.StandaloneProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.history.HistoryLevel;
import org.camunda.bpm.engine.impl.jobexecutor.DefaultJobExecutor;
import org.camunda.bpm.engine.runtime.Execution;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The engine's own floor (bench/engine-floor, run by bench/flow/run.sh after the flow benchmark): Camunda 7 alone,
 * configured as Callflow configures it (history level activity, removal time at start, Hikari, the job executor's
 * polling), on the same embedded PostgreSQL settings, runs bench/engine-floor/floor-call.bpmn at the flow benchmark's
 * rates. Each call is started by business key with the call's variables, waits in a queue sub-process with its two
 * timers, is resumed by the AgentReserved message, then by signal (the offer), then interrupted by the caller's
 * hang-up message a second later, as the flow benchmark's SIPp callers do. Prints the CPU per call of the JVM and of
 * the benchmark's own PostgreSQL cluster, and the commits per call, at each rate.
 */
public final class EngineFloorBenchmark {

    /** Variables a default call carries when it ends: 14 at its start, 7 more as the ACD and the phones answer. */
    private static final int START_VARIABLES = 14;

    public static void main(String[] args) throws Exception {
        String[] rates = (args.length > 0 ? args[0] : "25,50").split(",");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path root = Files.createTempDirectory("callflow-floor-bench");
        Path pgData = root.resolve("pgdata");
        try (EmbeddedPostgres postgres = Bench.postgres(pgData).start()) {
            HikariConfig pool = new HikariConfig();
            pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
            pool.setUsername("postgres");
            pool.setPassword("postgres");
            pool.setMaximumPoolSize(40);
            try (HikariDataSource dataSource = new HikariDataSource(pool)) {
                ProcessEngine engine = engine(dataSource);
                try {
                    engine.getRepositoryService().createDeployment().addInputStream("floor-call.bpmn",
                            Files.newInputStream(Path.of("bench/engine-floor/floor-call.bpmn"))).deploy();
                    run(engine, new JdbcTemplate(dataSource), pgData, rates, seconds);
                } finally {
                    engine.close();
                }
            }
        }
        System.exit(0);
    }

    private static ProcessEngine engine(HikariDataSource dataSource) {
        StandaloneProcessEngineConfiguration configuration = new StandaloneProcessEngineConfiguration();
        configuration.setDataSource(dataSource);
        configuration.setDatabaseSchemaUpdate("true");
        configuration.setHistoryLevel(HistoryLevel.HISTORY_LEVEL_ACTIVITY);
        configuration.setHistoryRemovalTimeStrategy(ProcessEngineConfigurationImpl.HISTORY_REMOVAL_TIME_STRATEGY_START);
        configuration.setMetricsEnabled(true);
        // Callflow's engine also checks authorizations, but only for calls made by a user; its own calls have none.
        configuration.setAuthorizationEnabled(false);
        DefaultJobExecutor jobs = new DefaultJobExecutor();
        jobs.setWaitTimeInMillis(250);
        jobs.setMaxWait(500);
        configuration.setJobExecutor(jobs);
        configuration.setJobExecutorActivate(true);
        return configuration.buildProcessEngine();
    }

    private static void run(ProcessEngine engine, JdbcTemplate jdbc, Path pgData, String[] rates, int seconds)
            throws Exception {
        RuntimeService runtime = engine.getRuntimeService();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        // Warm-up as the flow benchmark's: rounds of 200 calls at 20/s until two rounds cost within a tenth.
        double previous = Double.NaN;
        for (int round = 1; round <= 8; round++) {
            long cpu0 = os.getProcessCpuTime();
            int done = calls(runtime, 20, 200, "warm" + round);
            double perCall = (os.getProcessCpuTime() - cpu0) / 1e6 / Math.max(1, done);
            System.out.printf("floor.warmup round=%d jvm_ms_per_call=%.2f load_avg=%.2f%n", round, perCall,
                    Bench.loadAverage());
            if (Math.abs(perCall - previous) < 0.1 * perCall) {
                break;
            }
            previous = perCall;
        }
        for (String rateText : rates) {
            int rate = Integer.parseInt(rateText.trim());
            long commits0 = commits(jdbc);
            long cpu0 = os.getProcessCpuTime();
            long pg0 = Bench.postgresCpu(pgData);
            long wall0 = System.nanoTime();
            int done = calls(runtime, rate, rate * seconds, "r" + rate);
            double wall = (System.nanoTime() - wall0) / 1e9;
            double jvm = (os.getProcessCpuTime() - cpu0) / 1e6;
            double pg = (Bench.postgresCpu(pgData) - pg0) / 1e6;
            // PostgreSQL reports a backend's counters at most once a second.
            Thread.sleep(1000);
            long commits = commits(jdbc) - commits0;
            long left = runtime.createProcessInstanceQuery().count();
            System.out.printf("floor.cost cps=%d calls=%d completed=%d still_running=%d jvm_ms_per_call=%.2f"
                    + " postgres_ms_per_call=%.2f total_ms_per_call=%.2f commits_per_call=%.1f wall_s=%.1f"
                    + " load_avg=%.2f%n", rate, rate * seconds, done, left, jvm / Math.max(1, done),
                    pg / Math.max(1, done), (jvm + pg) / Math.max(1, done), commits / (double) Math.max(1, done),
                    wall, Bench.loadAverage());
        }
    }

    /**
     * Runs {@code count} calls arriving at {@code rate} per second and waits for them to end; returns how many ended.
     * Each step is its own engine command (its own transaction), on a pool as Callflow's call lanes are.
     */
    private static int calls(RuntimeService runtime, int rate, int count, String prefix) throws InterruptedException {
        ScheduledExecutorService lanes = Executors.newScheduledThreadPool(8);
        CountDownLatch ended = new CountDownLatch(count);
        AtomicInteger failed = new AtomicInteger();
        long gapMicros = 1_000_000L / rate;
        for (int i = 0; i < count; i++) {
            String callId = prefix + "-" + i + "@bench";
            long at = i * gapMicros;
            // Each step follows the one before it, as a call's events do on its lane: the ACD reserves an agent at
            // once (agents are free), the agent answers 50 ms later, the caller hangs up after a second of talk.
            List<Step> steps = List.of(
                    new Step(0, () -> runtime.startProcessInstanceByKey("floor-call", callId, startVariables(callId))),
                    new Step(20, () -> runtime.createMessageCorrelation("AgentReserved")
                            .processInstanceBusinessKey(callId).setVariables(Map.of("agentId", "bench-1",
                                    "agentAddress", "5001", "queue", "bench-1", "agentLeg", callId + "-agent"))
                            .correlateAllWithResult()),
                    new Step(50, () -> runtime.createExecutionQuery().processInstanceBusinessKey(callId)
                            .activityId("OfferToAgent").list().forEach(execution -> runtime.signal(execution.getId(),
                                    null, null, Map.of("agentAnswered", true, "answeredAt",
                                            System.currentTimeMillis())))),
                    new Step(1000, () -> runtime.createMessageCorrelation("CallerHungUp")
                            .processInstanceBusinessKey(callId).setVariable("hangupCause", "NORMAL_CLEARING")
                            .correlateAllWithResult()));
            lanes.schedule(() -> run(lanes, steps, 0, failed, ended), at, TimeUnit.MICROSECONDS);
        }
        ended.await(count / rate + 120L, TimeUnit.SECONDS);
        lanes.shutdownNow();
        if (failed.get() > 0) {
            System.out.printf("floor.failed steps=%d%n", failed.get());
        }
        return count - (int) ended.getCount();
    }

    /** One step of a call: its work, run {@code afterMillis} after the step before it ended. */
    private record Step(long afterMillis, Runnable work) {
    }

    private static void run(ScheduledExecutorService lanes, List<Step> steps, int index, AtomicInteger failed,
            CountDownLatch ended) {
        try {
            steps.get(index).work().run();
        } catch (RuntimeException e) {
            failed.incrementAndGet();
        }
        if (index + 1 < steps.size()) {
            lanes.schedule(() -> run(lanes, steps, index + 1, failed, ended), steps.get(index + 1).afterMillis(),
                    TimeUnit.MILLISECONDS);
        } else {
            ended.countDown();
        }
    }

    private static Map<String, Object> startVariables(String callId) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("callId", callId);
        variables.put("caller", "+4930123456");
        variables.put("did", "300");
        variables.put("trunk", "bench");
        variables.put("callerLeg", callId + "-caller");
        variables.put("language", "en");
        variables.put("menuChoice", "1");
        variables.put("routingRules", "Benchmark callers ending in 1");
        variables.put("priority", 100);
        variables.put("requiredSkills", "");
        variables.put("offerAttempts", 0);
        variables.put("maxWait", "PT10M");
        variables.put("announceEvery", "PT30S");
        variables.put("centreOpen", true);
        if (variables.size() != START_VARIABLES) {
            throw new IllegalStateException("the floor starts with " + START_VARIABLES + " variables");
        }
        return variables;
    }

    private static long commits(JdbcTemplate jdbc) {
        return jdbc.queryForObject("select xact_commit from pg_stat_database where datname = current_database()",
                Long.class);
    }
}
