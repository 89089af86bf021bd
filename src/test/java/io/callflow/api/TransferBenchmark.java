package io.callflow.api;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import io.callflow.support.Bench;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * bench/transfer: the time from an operations API command that rings a transfer target (consult, blind transfer of a
 * waiting call to an agent) to the target's SIPp phone receiving the INVITE, and the JVM's CPU per command. Commands
 * run one after the other (the figure is the latency of one command, not a throughput); the target answers 486 so
 * each ends by itself. Prints {@code transfer.*} lines.
 */
public final class TransferBenchmark {

    private TransferBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        TestContent content = TestContent.create()
                .with("rules/business-hours.drl", "package io.callflow.rules\n")
                .with("provisioning.yml", """
                        agents:
                          - { id: alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                          - { id: bob, sipUser: "1002", password: bob-1002, skills: { english: 6 } }
                        queues:
                          - { name: sales, ringTimeoutSeconds: 10, wrapUpSeconds: 1, maxWaitSeconds: 3600,
                              joinWhenEmpty: true, maxMissedOffers: 100000, members: [ alice ] }
                          - { name: support, ringTimeoutSeconds: 10, wrapUpSeconds: 1, maxWaitSeconds: 3600,
                              joinWhenEmpty: true, maxMissedOffers: 100000, members: [ alice ] }
                        dids:
                          - { did: "100", flow: inbound-call }
                        """);
        int sipPort = Sipp.freePort();
        Path root = Files.createTempDirectory("bench-transfer");
        List<String> settings = new ArrayList<>();
        content.properties().forEach((key, value) -> settings.add("--" + key + "=" + value));
        settings.addAll(List.of("--callflow.acd.provisioning-file=" + content.root().resolve("provisioning.yml"),
                "--callflow.sip.port=" + sipPort, "--callflow.sip.bind-address=127.0.0.1",
                "--callflow.media.bind-address=127.0.0.1", "--callflow.media.rtp-port-min=43000",
                "--callflow.media.rtp-port-max=43999", "--callflow.admin.password=bench-admin-password",
                "--callflow.http.rate-limit.per-user=1000000", "--callflow.http.rate-limit.per-source=1000000",
                "--callflow.calls.consult-ring-timeout=PT10S"));
        try (EmbeddedPostgres postgres = Bench.postgres(root.resolve("pgdata")).start()) {
            ConfigurableApplicationContext app = Bench.startOnPostgres(postgres, settings);
            try {
                run(app, root, sipPort, count);
            } catch (Exception e) {
                System.out.println("transfer.error " + e);
            } finally {
                app.close();
            }
        }
        System.exit(0);
    }

    private static void run(ConfigurableApplicationContext app, Path root, int sipPort, int count) throws Exception {
        JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
        String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
        int alicePort = Sipp.freePort();
        int bobPort = Sipp.freePort();
        Sipp.start("agent-register.xml", alicePort, sipPort, "-s", "1001", "-au", "1001", "-ap", "alice-1001")
                .awaitSuccess(Duration.ofSeconds(30));
        Sipp.start("agent-register.xml", bobPort, sipPort, "-s", "1002", "-au", "1002", "-ap", "bob-1002")
                .awaitSuccess(Duration.ofSeconds(30));
        Process bob = Bench.sipp(root, "bench/transfer/target-busy.xml", bobPort, sipPort, "-m",
                Integer.toString(2 * count + 10), "-trace_logs", "-timeout", "3600s");
        Sipp alice = Sipp.start("agent-answer.xml", alicePort, sipPort, "-s", "1001", "-rtp_echo", "-timeout",
                "3600s", "-mp", Integer.toString(Sipp.freePort()));
        Sipp caller = Sipp.start("caller-menu-1-until-bye.xml", Sipp.freePort(), sipPort, "-s", "100", "-timeout",
                "3600s", "-mp", Integer.toString(Sipp.freePort()));
        until(() -> "ON_CALL".equals(state(jdbc, "alice")) && currentCall(jdbc, "alice") != null, "alice talking");
        String callId = currentCall(jdbc, "alice");
        Client http = new Client(base, "admin", "bench-admin-password");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        // Warm-up (not reported): the first commands pay for class loading and JIT compilation.
        consults(http, jdbc, root, callId, WARM_UP, new ArrayList<>());
        List<Instant> sent = new ArrayList<>();
        long cpu0 = os.getProcessCpuTime();
        int offset = invites(root).size();
        consults(http, jdbc, root, callId, count, sent);
        long cpu = os.getProcessCpuTime() - cpu0;
        report("consult", sent, invites(root).subList(offset, offset + count), cpu, count);

        try {
            blindTransfers(app, http, jdbc, root, sipPort, callId, count);
        } finally {
            caller.kill();
            alice.kill();
            bob.destroy();
        }
    }

    /**
     * Blind transfer of a waiting call to bob: the only agent of the call's queue (alice) is paused, so the call
     * waits; bob's 486 sends it back to waiting for the next transfer.
     */
    private static void blindTransfers(ConfigurableApplicationContext app, Client http, JdbcTemplate jdbc, Path root,
            int sipPort, String callId, int count) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        http.post("/api/v1/calls/" + callId + "/hangup", "");
        until(() -> "AVAILABLE".equals(state(jdbc, "alice")), "alice free");
        app.getBean(io.callflow.acd.Agents.class).pause("alice", "bench");
        Sipp waiting = Sipp.start("caller-menu-1-until-bye.xml", Sipp.freePort(), sipPort, "-s", "100", "-timeout",
                "3600s", "-mp", Integer.toString(Sipp.freePort()));
        until(() -> jdbc.queryForObject("select count(*) from call_record where ended_at is null", Integer.class) == 1,
                "the waiting call");
        String waitingId = jdbc.queryForObject("select call_id from call_record where ended_at is null", String.class);
        try {
            transfers(http, jdbc, root, waitingId, WARM_UP, new ArrayList<>());
            List<Instant> sent = new ArrayList<>();
            long cpu0 = os.getProcessCpuTime();
            int offset = invites(root).size();
            transfers(http, jdbc, root, waitingId, count, sent);
            long cpu = os.getProcessCpuTime() - cpu0;
            report("transfer", sent, invites(root).subList(offset, offset + count), cpu, count);
        } finally {
            waiting.kill();
        }
    }

    private static final int WARM_UP = 10;

    private static void consults(Client http, JdbcTemplate jdbc, Path root, String callId, int n, List<Instant> sent)
            throws Exception {
        for (int i = 0; i < n; i++) {
            int before = invites(root).size();
            sent.add(Instant.now());
            int status = http.post("/api/v1/calls/" + callId + "/consult", "{\"agent\":\"bob\"}");
            if (status != 200) {
                throw new IllegalStateException("consult " + i + " answered " + status);
            }
            String what = "consultation " + i;
            until(() -> invites(root).size() > before, "bob's INVITE, " + what);
            // The 486 ends the consultation: bob free again, alice back with the caller.
            until(() -> http.get("/api/v1/calls/" + callId + "/consult") == 404
                    && "AVAILABLE".equals(state(jdbc, "bob")), what + " over");
        }
    }

    private static void transfers(Client http, JdbcTemplate jdbc, Path root, String callId, int n, List<Instant> sent)
            throws Exception {
        for (int i = 0; i < n; i++) {
            int before = invites(root).size();
            Instant at;
            int status;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            do {
                // 409 until the call waits again after the last 486: retried, only the accepted one is timed.
                at = Instant.now();
                status = http.post("/api/v1/calls/" + callId + "/transfer", "{\"agent\":\"bob\"}");
            } while (status == 409 && System.nanoTime() < deadline);
            if (status != 200) {
                throw new IllegalStateException("transfer " + i + " answered " + status);
            }
            sent.add(at);
            String what = "transfer " + i;
            until(() -> invites(root).size() > before, "bob's INVITE, " + what);
            until(() -> "AVAILABLE".equals(state(jdbc, "bob")), what + ": bob free");
        }
    }

    private static void report(String command, List<Instant> sent, List<Instant> received, long cpuNanos, int n) {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            millis.add(Duration.between(sent.get(i), received.get(i)).toNanos() / 1e6);
        }
        List<Double> sorted = millis.stream().sorted().toList();
        System.out.printf("transfer.%s n=%d to_invite_ms_p50=%.2f p99=%.2f max=%.2f cpu_ms_per_command=%.2f"
                + " load_average=%.2f%n", command, n, quantile(sorted, 0.5), quantile(sorted, 0.99),
                sorted.get(sorted.size() - 1), cpuNanos / 1e6 / n, Bench.loadAverage());
    }

    private static double quantile(List<Double> sorted, double q) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

    /** The arrival times bob's SIPp logged, in order ({@code invite <seconds> <microseconds>}). */
    private static List<Instant> invites(Path root) throws Exception {
        List<Instant> times = new ArrayList<>();
        try (Stream<Path> files = Files.list(root)) {
            for (Path log : files.filter(f -> f.getFileName().toString().endsWith("_logs.log")).toList()) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    String[] parts = line.trim().split("\\s+");
                    if (parts.length == 3 && parts[0].equals("invite")) {
                        long seconds = (long) Double.parseDouble(parts[1]);
                        long micros = (long) Double.parseDouble(parts[2]);
                        times.add(Instant.ofEpochSecond(seconds, micros * 1000));
                    }
                }
            }
        }
        return times;
    }

    private static String state(JdbcTemplate jdbc, String agent) {
        return jdbc.queryForObject("select state from agent where id = ?", String.class, agent);
    }

    private static String currentCall(JdbcTemplate jdbc, String agent) {
        return jdbc.queryForObject("select current_call from agent where id = ?", String.class, agent);
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    /** Polls every millisecond (a benchmark's wait, not a test's) until {@code check} holds, for at most 60 s. */
    private static void until(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    /** A bounded HTTP client with basic authentication. */
    private record Client(HttpClient http, String base, String auth) {

        Client(String base, String user, String password) {
            this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                    .build(), base, "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8)));
        }

        int post(String path, String body) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", auth).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }

        int get(String path) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }
    }
}
