package io.callflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import io.callflow.call.CallLanes;
import io.callflow.media.MediaUse;
import io.callflow.platform.DatabaseAvailability;
import io.callflow.support.Bench;
import io.callflow.support.LogCounter;
import io.callflow.support.RawSipPeer;
import io.callflow.support.SipMutations;
import io.callflow.support.Sipp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Soak (bench/soak/run.sh): for N minutes, normal calls mixed with everything hostile - callers who hang up in the menu,
 * in the queue or while an agent rings, CANCELs, callers who never ACK, tel: and urn: URIs, mutated messages, wrong
 * passwords, a burst of idle TCP connections and PostgreSQL stopped for 20 s in the middle - then, after the platform
 * had time to drain, the "nothing stuck" invariant as SQL counts, what the SIP, call and media layers still hold, JVM
 * threads, file descriptors and heap after GC against the same figures before the load, and the WARN and ERROR lines
 * logged. Exits 1, naming why, when the invariant does not hold or something leaked.
 */
public final class SoakBenchmark {

    /** A SIPp caller (or registering phone) kind: one SIPp process for the whole load, one call every periodMs. */
    record SippKind(String name, String scenario, String did, int periodMs, List<String> extra) {
    }

    /** Raw UDP callers: what SIPp's scenarios cannot write (tel: and urn: URIs). */
    record RawKind(String name, String requestUri, String from, String to, String did) {
    }

    static final int AGENT_USER_BASE = 6000;
    static final int RINGING_PHONE_USER = 6099;
    static final Duration PG_OUTAGE = Duration.ofSeconds(20);
    static final Duration MIN_DRAIN = Duration.ofSeconds(45);
    static final Duration MAX_DRAIN = Duration.ofSeconds(150);
    static final int IDLE_TCP_CONNECTIONS = 200;
    static final long MUTATION_SEED = 4475;
    /** Tolerances for what may legitimately grow over a run (pools filled, classes and caches warmed). */
    static final int THREAD_TOLERANCE = 12;
    static final int FD_TOLERANCE = 16;
    static final long HEAP_TOLERANCE_BYTES = 64L << 20;

    private final Path root;
    private final int pgPort;
    private final Path pgData;
    private final int sipPort;
    private final int agents;
    private final Duration load;
    private volatile EmbeddedPostgres postgres;
    private ConfigurableApplicationContext app;
    private JdbcTemplate jdbc;
    private final List<Process> phones = new ArrayList<>();
    private final Map<String, Map<String, LongAdder>> rawOutcomes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> mutationsSent = new ConcurrentHashMap<>();
    private final List<String> failures = new ArrayList<>();

    private SoakBenchmark(Path root, int agents, Duration load) {
        this.root = root;
        this.pgPort = freeTcpPort();
        this.pgData = root.resolve("pgdata");
        this.sipPort = freeSipPort();
        this.agents = agents;
        this.load = load;
    }

    public static void main(String[] args) throws Exception {
        double minutes = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int agents = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        if (minutes < 1 || minutes > 55) {
            // The phones register for an hour (bench/soak/agent-register.xml) and are not refreshed.
            System.out.println("soak.error minutes must be between 1 and 55, was " + minutes);
            System.exit(2);
        }
        SoakBenchmark soak = new SoakBenchmark(Files.createTempDirectory("callflow-soak"), agents,
                Duration.ofMillis(Math.round(minutes * 60_000)));
        int exit;
        try {
            exit = soak.run();
        } finally {
            soak.stop();
        }
        // JAIN-SIP's event scanner thread outlives the stopped stack; exec:java would wait for it forever.
        System.exit(exit);
    }

    private int run() throws Exception {
        provision();
        postgres = startPostgres();
        app = Bench.startOnPostgres(postgres, List.of("--spring.datasource.hikari.connection-timeout=3000",
                "--callflow.data-dir=" + root.resolve("data"), "--callflow.content.rules-dir=" + root.resolve("rules"),
                "--callflow.acd.provisioning-file=" + root.resolve("provisioning.yml"),
                "--callflow.sip.port=" + sipPort, "--callflow.sip.bind-address=127.0.0.1",
                "--callflow.media.bind-address=127.0.0.1", "--callflow.media.rtp-port-min=33000",
                "--callflow.media.rtp-port-max=33999"));
        LogCounter logs = LogCounter.attachToRoot();
        jdbc = app.getBean(JdbcTemplate.class);
        System.out.printf("soak.setup minutes=%.1f agents=%d ringing_phone=1 sip_port=%d pg_port=%d dir=%s%n",
                load.toMillis() / 60_000.0, agents, sipPort, pgPort, root);
        registerPhones();
        warmUp();
        Snapshot before = Snapshot.take(app);
        before.print("soak.before");

        Instant loadStart = Instant.now();
        Instant loadEnd = loadStart.plus(load);
        Map<String, Process> callers = startSippCallers();
        List<RawKind> rawKinds = List.of(
                new RawKind("tel-from", "sip:205@127.0.0.1:" + sipPort, "<tel:+4930123458>",
                        "<sip:205@127.0.0.1:" + sipPort + ">", "205"),
                new RawKind("tel-request-uri", "tel:100", "<sip:+4930123459@127.0.0.1>", "<tel:100>", "100"),
                new RawKind("urn-service-sos", "urn:service:sos", "<sip:+4930123460@127.0.0.1>",
                        "<urn:service:sos>", "sos"));
        RawSipPeer peer = new RawSipPeer(sipPort);
        ScheduledExecutorService hostile = Executors.newScheduledThreadPool(4, daemon("soak-hostile"));
        // A raw call can take 32 s (no final answer); each runs on a thread of its own so the rate holds.
        ExecutorService rawCalls = Executors.newFixedThreadPool(16, daemon("soak-raw-call"));
        for (int i = 0; i < rawKinds.size(); i++) {
            RawKind kind = rawKinds.get(i);
            hostile.scheduleAtFixedRate(() -> rawCalls.execute(() -> rawCall(peer, kind, loadEnd)), 1000L + i * 3000L,
                    10_000, TimeUnit.MILLISECONDS);
        }
        SipMutations mutations = new SipMutations(MUTATION_SEED, sipPort, peer.port());
        AtomicLong mutationCount = new AtomicLong();
        hostile.scheduleAtFixedRate(() -> mutate(peer, mutations, mutationCount, loadEnd), 500, 250,
                TimeUnit.MILLISECONDS);
        IdleTcpBurst burst = new IdleTcpBurst(sipPort);
        long burstAt = load.toMillis() / 5;
        hostile.schedule(burst::open, burstAt, TimeUnit.MILLISECONDS);
        hostile.schedule(burst::close, burstAt + Math.min(40_000, load.toMillis() * 3 / 10), TimeUnit.MILLISECONDS);
        Thread outage = new Thread(() -> databaseOutage(load.toMillis() / 2), "soak-db-outage");
        outage.start();

        DatabaseAvailability database = app.getBean(DatabaseAvailability.class);
        int peakCalls = 0;
        while (Instant.now().isBefore(loadEnd)) {
            Thread.sleep(1000);
            Map<String, Object> sip = sipDetails(app);
            peakCalls = Math.max(peakCalls, ((Number) sip.get("activeCalls")).intValue());
            long elapsed = Duration.between(loadStart, Instant.now()).toSeconds();
            if (elapsed % 30 == 0) {
                System.out.printf("soak.progress t_s=%d active_calls=%s dialogs=%s lanes=%d database_available=%s"
                        + " warn=%d error=%d%n", elapsed, sip.get("activeCalls"), sip.get("dialogs"),
                        app.getBean(CallLanes.class).activeLanes(), database.available(), logs.total(Level.WARN),
                        logs.total(Level.ERROR));
            }
        }
        System.out.printf("soak.load seconds=%d peak_active_calls=%d%n", load.toSeconds(), peakCalls);

        // Load over: no new calls. Calls in progress end by themselves (a never-ACKed 200 after 32 s).
        hostile.shutdown();
        outage.join();
        hostile.awaitTermination(45, TimeUnit.SECONDS);
        rawCalls.shutdown();
        rawCalls.awaitTermination(70, TimeUnit.SECONDS);
        burst.close();
        for (Process caller : callers.values()) {
            if (!caller.waitFor(Math.max(1, MAX_DRAIN.toSeconds() - Duration.between(loadEnd, Instant.now())
                    .toSeconds()), TimeUnit.SECONDS)) {
                caller.destroyForcibly();
            }
        }
        long drained = drain(loadEnd);
        Snapshot after = Snapshot.take(app);

        printCalls(callers, rawKinds, peer);
        peer.close();
        System.out.printf("soak.tcp idle_connections_opened=%d refused=%d fds_while_open=%d%n", burst.opened,
                burst.refused, burst.fdsWhileOpen);
        System.out.printf("soak.drain seconds_after_load=%d clean=%s%n", drained, drained >= 0);
        printInvariant();
        after.print("soak.after");
        compare(before, after);
        printLogs(logs);
        logs.detach();
        if (failures.isEmpty()) {
            System.out.println("soak.result PASS");
            return 0;
        }
        failures.forEach(reason -> System.out.println("soak.result FAIL " + reason));
        return 1;
    }

    // ---- set-up ----

    private void provision() throws IOException {
        Files.createDirectories(root.resolve("rules"));
        // Open around the clock, as in the tests, so the soak does not depend on when it runs.
        Files.writeString(root.resolve("rules/business-hours.drl"), "package io.callflow.rules\n");
        StringBuilder yaml = new StringBuilder("agents:\n");
        List<String> members = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            int user = AGENT_USER_BASE + i;
            yaml.append("  - { id: soak-").append(i).append(", sipUser: \"").append(user).append("\", password: pw")
                    .append(user).append(" }\n");
            members.add("soak-" + i);
        }
        // A phone that rings and is never picked up: agents RINGING, ring timeouts, callers hanging up meanwhile.
        yaml.append("  - { id: soak-ringing, sipUser: \"").append(RINGING_PHONE_USER).append("\", password: pw")
                .append(RINGING_PHONE_USER).append(" }\n");
        members.add("soak-ringing");
        yaml.append("queues:\n");
        // sales takes menu choice 1; support is the routing's default queue (callers who press nothing).
        for (String queue : List.of("sales", "support")) {
            yaml.append("  - { name: ").append(queue).append(", strategy: longest-idle, ringTimeoutSeconds: 4,")
                    .append(" wrapUpSeconds: 1, maxWaitSeconds: 120, maxMissedOffers: 100000, joinWhenEmpty: true,")
                    .append(" members: [ ").append(String.join(", ", members)).append(" ] }\n");
        }
        yaml.append("dids:\n");
        for (String did : List.of("100", "200", "201", "202", "203", "204", "205", "206")) {
            yaml.append("  - { did: \"").append(did).append("\", flow: inbound-call }\n");
        }
        Files.writeString(root.resolve("provisioning.yml"), yaml);
    }

    private EmbeddedPostgres startPostgres() throws IOException {
        Files.createDirectories(pgData);
        // A fixed port and data directory, so the outage can stop it and start the same database again.
        return EmbeddedPostgres.builder().setPort(pgPort).setDataDirectory(pgData).setCleanDataDirectory(false)
                .setServerConfig("autovacuum_naptime", "10s").start();
    }

    private void registerPhones() throws Exception {
        for (int i = 0; i <= agents; i++) {
            boolean ringingPhone = i == agents;
            String user = Integer.toString(ringingPhone ? RINGING_PHONE_USER : AGENT_USER_BASE + i);
            int port = Sipp.freePort();
            Process register = Bench.sipp(root, "bench/soak/agent-register.xml", port, sipPort, "-s", user, "-au", user,
                    "-ap", "pw" + user, "-m", "1");
            if (!register.waitFor(30, TimeUnit.SECONDS) || register.exitValue() != 0) {
                throw new IllegalStateException("phone " + user + " did not register; see " + root);
            }
            phones.add(ringingPhone
                    ? Bench.sipp(root, "src/test/sipp/agent-no-answer.xml", port, sipPort, "-s", user, "-m", "10000000")
                    : Bench.sipp(root, "src/test/sipp/agent-answer.xml", port, sipPort, "-s", user, "-m", "10000000",
                            "-rtp_echo", "-mp", Integer.toString(Sipp.freePort())));
        }
        long deadline = System.currentTimeMillis() + 60_000;
        int available = 0;
        while (System.currentTimeMillis() < deadline && (available = count(
                "select count(*) from agent where state = 'AVAILABLE'")) < agents + 1) {
            Thread.sleep(200);
        }
        System.out.printf("soak.setup phones_available=%d of %d%n", available, agents + 1);
    }

    /** A few normal calls so the JIT, pools and caches are warm before the figures to compare with are taken. */
    private void warmUp() throws Exception {
        Process warm = Bench.sipp(root, "src/test/sipp/caller-menu-1.xml", Sipp.freePort(), sipPort, "-s", "200", "-d",
                "1000", "-r", "1", "-m", "8", "-mp", Integer.toString(Sipp.freePort()));
        warm.waitFor(90, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && !quiet()) {
            Thread.sleep(500);
        }
        // Before the figures to compare with: JAIN-SIP's transactions and dialogs of the warm-up expire (32 s timers).
        deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && !clean()) {
            Thread.sleep(1000);
        }
        System.out.printf("soak.warmup calls=8 sipp_exit=%d drained=%s%n", warm.exitValue(), clean());
    }

    private boolean quiet() {
        return count("select count(*) from call_record where ended_at is null") == 0
                && ((Number) sipDetails(app).get("activeCalls")).intValue() == 0
                && app.getBean(CallLanes.class).activeLanes() == 0;
    }

    // ---- load ----

    private Map<String, Process> startSippCallers() throws Exception {
        long loadMs = load.toMillis();
        List<SippKind> kinds = List.of(
                new SippKind("normal", "src/test/sipp/caller-menu-1.xml", "200", 3000, List.of("-d", "2000")),
                new SippKind("hangup-in-menu", "src/test/sipp/caller-hangup.xml", "201", 6000, List.of("-d", "4000")),
                new SippKind("hangup-later", "src/test/sipp/caller-hangup.xml", "202", 6000, List.of("-d", "25000")),
                new SippKind("cancel", "src/test/sipp/caller-cancel.xml", "203", 6000, List.of()),
                new SippKind("never-ack", "src/test/sipp/caller-never-acks.xml", "204", 10_000, List.of()),
                new SippKind("wrong-password", "src/test/sipp/agent-register-refused.xml",
                        Integer.toString(AGENT_USER_BASE), 3000, List.of("-au", Integer.toString(AGENT_USER_BASE),
                        "-ap", "not-the-password")));
        Map<String, Process> started = new LinkedHashMap<>();
        for (SippKind kind : kinds) {
            List<String> args = new ArrayList<>(List.of("-s", kind.did(), "-r", "1", "-rp",
                    Integer.toString(kind.periodMs()), "-m", Long.toString(Math.max(1, loadMs / kind.periodMs())),
                    "-l", "200", "-recv_timeout", "70000", "-trace_stat", "-stf", root.resolve("stat-" + kind.name() + ".csv").toString(),
                    "-fd", "5", "-trace_err", "-error_file", root.resolve("errors-" + kind.name() + ".log").toString()));
            if (!kind.name().equals("wrong-password")) {
                args.addAll(List.of("-mp", Integer.toString(Sipp.freePort())));
            }
            args.addAll(kind.extra());
            started.put(kind.name(), Bench.sipp(root, kind.scenario(), Sipp.freePort(), sipPort,
                    args.toArray(String[]::new)));
        }
        return started;
    }

    private void rawCall(RawSipPeer peer, RawKind kind, Instant loadEnd) {
        if (Instant.now().isAfter(loadEnd)) {
            return;
        }
        String outcome;
        try {
            outcome = peer.call(kind.requestUri(), kind.from(), kind.to(), Duration.ofSeconds(3));
        } catch (Exception e) {
            outcome = "error-" + e.getClass().getSimpleName();
        }
        rawOutcomes.computeIfAbsent(kind.name(), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    private void mutate(RawSipPeer peer, SipMutations mutations, AtomicLong count, Instant loadEnd) {
        if (Instant.now().isAfter(loadEnd)) {
            return;
        }
        String[] kind = new String[1];
        byte[] message = mutations.next(kind);
        // Every tenth over a TCP connection of its own, which is then closed.
        boolean tcp = count.incrementAndGet() % 10 == 0;
        try {
            if (tcp) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", sipPort), 1000);
                    socket.setSoTimeout(150);
                    socket.getOutputStream().write(message);
                    try {
                        socket.getInputStream().read(new byte[4096]);
                    } catch (IOException noAnswer) {
                        // Most mutants get none.
                    }
                }
            } else {
                peer.send(message);
            }
            mutationsSent.computeIfAbsent((tcp ? "tcp-" : "udp-") + kind[0], k -> new LongAdder()).increment();
        } catch (IOException e) {
            mutationsSent.computeIfAbsent("send-failed-" + e.getClass().getSimpleName(), k -> new LongAdder())
                    .increment();
        }
    }

    /** PostgreSQL stopped (fast shutdown, as an operator or a failover would) and started again on the same data. */
    private void databaseOutage(long atMs) {
        try {
            Thread.sleep(atMs);
            DatabaseAvailability database = app.getBean(DatabaseAvailability.class);
            long stopped = System.nanoTime();
            postgres.close();
            long detected = -1;
            while (System.nanoTime() - stopped < PG_OUTAGE.toNanos()) {
                if (detected < 0 && !database.available()) {
                    detected = (System.nanoTime() - stopped) / 1_000_000;
                }
                Thread.sleep(100);
            }
            long restarting = System.nanoTime();
            postgres = startPostgres();
            long started = (System.nanoTime() - restarting) / 1_000_000;
            long back = -1;
            while (back < 0 && System.nanoTime() - restarting < TimeUnit.SECONDS.toNanos(60)) {
                if (database.available()) {
                    back = (System.nanoTime() - restarting) / 1_000_000;
                }
                Thread.sleep(100);
            }
            System.out.printf("soak.db_outage stopped_s=%d outage_detected_ms=%d postgres_restart_ms=%d"
                    + " available_again_ms_after_restart=%d%n", PG_OUTAGE.toSeconds(), detected, started, back);
            if (back < 0) {
                synchronized (failures) {
                    failures.add("the database was not seen available again within 60 s of its restart");
                }
            }
        } catch (Exception e) {
            synchronized (failures) {
                failures.add("database outage could not be staged: " + e);
            }
        }
    }

    /** Waits at least MIN_DRAIN after the load, then until nothing is held, at most MAX_DRAIN; -1 if never clean. */
    private long drain(Instant loadEnd) throws InterruptedException {
        Instant earliest = loadEnd.plus(MIN_DRAIN);
        Instant latest = loadEnd.plus(MAX_DRAIN);
        while (Instant.now().isBefore(earliest)) {
            Thread.sleep(500);
        }
        while (Instant.now().isBefore(latest)) {
            if (clean()) {
                return Duration.between(loadEnd, Instant.now()).toSeconds();
            }
            Thread.sleep(1000);
        }
        return clean() ? Duration.between(loadEnd, Instant.now()).toSeconds() : -1;
    }

    private boolean clean() {
        try {
            boolean invariant = invariantCounts().values().stream().allMatch(n -> n == 0);
            boolean sip = sipDetails(app).values().stream().allMatch(v -> v instanceof Number n && n.intValue() == 0);
            return invariant && sip && app.getBean(CallLanes.class).activeLanes() == 0 && MediaUse.openLegs(app) == 0
                    && MediaUse.portsInUse(app) == 0;
        } catch (RuntimeException databaseAway) {
            return false;
        }
    }

    // ---- figures ----

    private Map<String, Integer> invariantCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("agents_reserved_ringing_on_call",
                count("select count(*) from agent where state in ('RESERVED', 'RINGING', 'ON_CALL')"));
        counts.put("agents_with_current_call", count("select count(*) from agent where current_call is not null"));
        counts.put("queue_entries", count("select count(*) from queue_entry"));
        counts.put("open_call_records", count("select count(*) from call_record where ended_at is null"));
        counts.put("running_process_executions", count("select count(*) from act_ru_execution"));
        counts.put("jobs", count("select count(*) from act_ru_job"));
        return counts;
    }

    private void printInvariant() {
        Map<String, Integer> counts = invariantCounts();
        counts.forEach((name, n) -> System.out.printf("soak.invariant.%s %d%n", name, n));
        counts.forEach((name, n) -> {
            if (n != 0) {
                failures.add("invariant: " + name + " = " + n + " after the drain");
            }
        });
        if (counts.values().stream().anyMatch(n -> n != 0)) {
            jdbc.query("select id, state, current_call, state_since from agent where state in ('RESERVED', 'RINGING',"
                    + " 'ON_CALL') or current_call is not null", rs -> {
                        System.out.printf("soak.stuck.agent %s state=%s current_call=%s since=%s%n", rs.getString(1),
                                rs.getString(2), rs.getString(3), rs.getString(4));
                    });
            jdbc.query("select call_id, queue_name, state from queue_entry", rs -> {
                System.out.printf("soak.stuck.queue_entry %s queue=%s state=%s%n", rs.getString(1), rs.getString(2),
                        rs.getString(3));
            });
            jdbc.query("select call_id, did, caller, started_at, answered_at, agent from call_record where ended_at"
                    + " is null", rs -> {
                        System.out.printf("soak.stuck.call_record %s did=%s caller=%s started=%s answered=%s"
                                + " agent=%s%n", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6));
                    });
            jdbc.query("select e.proc_inst_id_, e.business_key_, e.act_id_ from act_ru_execution e", rs -> {
                System.out.printf("soak.stuck.execution %s call=%s at=%s%n", rs.getString(1), rs.getString(2),
                        rs.getString(3));
            });
            jdbc.query("select id_, type_, handler_type_, duedate_, exception_msg_ from act_ru_job", rs -> {
                System.out.printf("soak.stuck.job %s type=%s handler=%s due=%s exception=%s%n", rs.getString(1),
                        rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
            });
        }
    }

    private void printCalls(Map<String, Process> callers, List<RawKind> rawKinds, RawSipPeer peer) throws IOException {
        Map<String, String> dids = Map.of("normal", "200", "hangup-in-menu", "201", "hangup-later", "202", "cancel",
                "203", "never-ack", "204");
        for (var caller : callers.entrySet()) {
            Map<String, String> stats = lastStats(root.resolve("stat-" + caller.getKey() + ".csv"));
            String did = dids.get(caller.getKey());
            System.out.printf("soak.calls.%s attempted=%s sipp_succeeded=%s sipp_failed=%s sipp_exit=%s%s%n",
                    caller.getKey(), stats.getOrDefault("TotalCallCreated", "?"),
                    stats.getOrDefault("SuccessfulCall(C)", "?"), stats.getOrDefault("FailedCall(C)", "?"),
                    caller.getValue().isAlive() ? "killed" : caller.getValue().exitValue(),
                    did == null ? "" : records(did));
            String reasons = stats.entrySet().stream().filter(e -> e.getKey().startsWith("Failed")
                    && e.getKey().endsWith("(C)") && !e.getKey().equals("FailedCall(C)") && !e.getValue().equals("0"))
                    .map(e -> e.getKey().replace("(C)", "") + "=" + e.getValue()).collect(Collectors.joining(" "));
            if (!reasons.isEmpty()) {
                System.out.printf("soak.calls.%s.sipp_failures %s%n", caller.getKey(), reasons);
            }
        }
        for (RawKind kind : rawKinds) {
            Map<String, Long> outcomes = new TreeMap<>();
            rawOutcomes.getOrDefault(kind.name(), Map.of()).forEach((outcome, n) -> outcomes.put(outcome, n.sum()));
            System.out.printf("soak.calls.%s attempted=%d answered=%d failed=%d outcomes=%s%s%n", kind.name(),
                    outcomes.values().stream().mapToLong(Long::longValue).sum(),
                    outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("answered"))
                            .mapToLong(Map.Entry::getValue).sum(),
                    outcomes.entrySet().stream().filter(e -> !e.getKey().startsWith("answered"))
                            .mapToLong(Map.Entry::getValue).sum(), outcomes, records(kind.did()));
        }
        Map<String, Long> mutants = new TreeMap<>();
        mutationsSent.forEach((kind, n) -> mutants.put(kind, n.sum()));
        System.out.printf("soak.mutations sent=%d by_kind=%s answers_received=%s requests_from_callflow_answered=%d"
                + " records_did_206=%d%n", mutants.values().stream().mapToLong(Long::longValue).sum(), mutants,
                peer.strayAnswers(), peer.requestsAnswered(), count("select count(*) from call_record where did = '206'"));
        Map<String, Integer> outcomes = new TreeMap<>();
        jdbc.query("select coalesce(outcome, '(open)'), count(*) from call_record group by 1", rs -> {
            outcomes.put(rs.getString(1), rs.getInt(2));
        });
        System.out.printf("soak.records total=%d outcomes=%s%n",
                outcomes.values().stream().mapToInt(Integer::intValue).sum(), outcomes);
        Map<String, Integer> events = new TreeMap<>();
        jdbc.query("select event, count(*) from queue_log group by 1", rs -> {
            events.put(rs.getString(1), rs.getInt(2));
        });
        System.out.printf("soak.queue_log %s%n", events);
    }

    /** What Callflow recorded for calls to the DID: records, answered, connected to an agent, outcomes. */
    private String records(String did) {
        Map<String, Integer> outcomes = new TreeMap<>();
        int[] totals = new int[3];
        jdbc.query("select coalesce(outcome, '(open)'), count(*), count(answered_at), count(agent) from call_record"
                + " where did = ? group by 1", rs -> {
                    outcomes.put(rs.getString(1), rs.getInt(2));
                    totals[0] += rs.getInt(2);
                    totals[1] += rs.getInt(3);
                    totals[2] += rs.getInt(4);
                }, did);
        return String.format(" records=%d agent_answered=%d connected_to_agent=%d record_outcomes=%s", totals[0], totals[1],
                totals[2], outcomes);
    }

    /** The last line of a SIPp statistics file (-trace_stat), by column. */
    private static Map<String, String> lastStats(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Map.of();
        }
        List<String> lines = Files.readAllLines(file).stream().filter(line -> !line.isBlank()).toList();
        if (lines.size() < 2) {
            return Map.of();
        }
        String[] names = lines.get(0).split(";");
        String[] values = lines.get(lines.size() - 1).split(";");
        Map<String, String> stats = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(names.length, values.length); i++) {
            stats.put(names[i], values[i]);
        }
        return stats;
    }

    private void compare(Snapshot before, Snapshot after) {
        // Held SIP and media state must be back where it was before the load (a long-lived leg of the warm-up, such
        // as the phone that only rings, may still be there in both).
        for (var held : after.held().entrySet()) {
            int baseline = before.held().getOrDefault(held.getKey(), 0);
            if (held.getValue() > baseline) {
                failures.add("leak: " + held.getKey() + " = " + held.getValue() + " after the drain (" + baseline
                        + " before the load)");
            }
        }
        if (after.threads() > before.threads() + THREAD_TOLERANCE) {
            failures.add("leak: live threads " + before.threads() + " -> " + after.threads());
        }
        if (after.fds() > before.fds() + FD_TOLERANCE) {
            failures.add("leak: open file descriptors " + before.fds() + " -> " + after.fds());
        }
        long heapAllowed = Math.max(HEAP_TOLERANCE_BYTES, before.heapBytes() / 2);
        if (after.heapBytes() > before.heapBytes() + heapAllowed) {
            failures.add(String.format("leak: heap after GC %.1f -> %.1f MiB", before.heapBytes() / 1048576.0,
                    after.heapBytes() / 1048576.0));
        }
        System.out.printf("soak.growth threads=%+d fds=%+d heap_after_gc_mb=%+.1f (tolerance: threads %d, fds %d,"
                + " heap %.0f MiB)%n", after.threads() - before.threads(), after.fds() - before.fds(),
                (after.heapBytes() - before.heapBytes()) / 1048576.0, THREAD_TOLERANCE, FD_TOLERANCE,
                heapAllowed / 1048576.0);
    }

    private void printLogs(LogCounter logs) {
        System.out.printf("soak.log error_lines=%d warn_lines=%d%n", logs.total(Level.ERROR), logs.total(Level.WARN));
        for (LogCounter.Tally tally : logs.top(12)) {
            System.out.printf("soak.log.top %s %s lines=%d first=\"%s\"%n", tally.level(), tally.logger(),
                    tally.lines(), tally.firstMessage());
        }
    }

    private int count(String sql) {
        return jdbc.queryForObject(sql, Integer.class);
    }

    static Map<String, Object> sipDetails(ConfigurableApplicationContext app) {
        return app.getBean("sipHealthIndicator", HealthIndicator.class).health().getDetails();
    }

    /** What the platform holds and what the JVM uses at one moment. */
    record Snapshot(Map<String, Integer> held, int threads, long fds, long heapBytes) {

        static Snapshot take(ConfigurableApplicationContext app) throws InterruptedException {
            Map<String, Integer> held = new LinkedHashMap<>();
            sipDetails(app).forEach((name, value) -> held.put("sip_" + name, ((Number) value).intValue()));
            CallLanes lanes = app.getBean(CallLanes.class);
            held.put("call_lanes", lanes.activeLanes());
            held.put("call_lanes_waiting_for_retry", lanes.waitingLanes());
            held.put("media_legs", MediaUse.openLegs(app));
            held.put("media_ports_in_use", MediaUse.portsInUse(app));
            var memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            Thread.sleep(500);
            System.gc();
            Thread.sleep(500);
            return new Snapshot(held, ManagementFactory.getThreadMXBean().getThreadCount(), openFileDescriptors(),
                    memory.getHeapMemoryUsage().getUsed());
        }

        void print(String prefix) {
            held.forEach((name, n) -> System.out.printf("%s.%s %d%n", prefix, name, n));
            System.out.printf("%s.jvm_threads %d%n%s.open_fds %d%n%s.heap_after_gc_mb %.1f%n", prefix, threads,
                    prefix, fds, prefix, heapBytes / 1048576.0);
        }
    }

    static long openFileDescriptors() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Idle TCP connections to the SIP port: opened at once, nothing sent, closed later. */
    static final class IdleTcpBurst {
        private final int sipPort;
        private final List<Socket> sockets = new ArrayList<>();
        volatile int opened;
        volatile int refused;
        volatile long fdsWhileOpen;

        IdleTcpBurst(int sipPort) {
            this.sipPort = sipPort;
        }

        synchronized void open() {
            for (int i = 0; i < IDLE_TCP_CONNECTIONS; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress("127.0.0.1", sipPort), 2000);
                    sockets.add(socket);
                    opened++;
                } catch (IOException e) {
                    refused++;
                }
            }
            fdsWhileOpen = openFileDescriptors();
            System.out.printf("soak.tcp_burst opened=%d refused=%d fds_now=%d%n", opened, refused, fdsWhileOpen);
        }

        synchronized void close() {
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Closing anyway.
                }
            }
            sockets.clear();
        }
    }

    private void stop() {
        phones.forEach(Process::destroyForcibly);
        if (app != null) {
            app.close();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                System.out.println("soak.warning postgres did not stop: " + e.getMessage());
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicLong n = new AtomicLong();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port free for both UDP and TCP on loopback (Callflow listens on both). */
    private static int freeSipPort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freeTcpPort();
            try (var udp = new java.net.DatagramSocket(port)) {
                return port;
            } catch (IOException taken) {
                // Try another.
            }
        }
        throw new IllegalStateException("no port free for both UDP and TCP");
    }
}
