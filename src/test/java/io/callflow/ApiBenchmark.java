package io.callflow;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import com.sun.net.httpserver.HttpServer;
import io.callflow.support.Bench;
import io.callflow.support.LiveEventClient;
import io.callflow.support.Sipp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The operations API under load (bench/api/run.sh): while SIPp callers arrive at a steady rate through the flow
 * benchmark's set-up on PostgreSQL, an open-loop client sends a fixed rate of mixed read and command requests over
 * HTTP Basic, as an integrator's dashboard and CRM would. Latency is measured from each request's scheduled send time,
 * so a stalled server is not hidden by a client that waits for it (coordinated omission). Prints p50/p95/p99 per
 * request kind and overall, errors, and the server's CPU per request.
 */
public final class ApiBenchmark {

    private static final int COMMANDED_AGENTS = 20;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int apiRate = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int callRate = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        int agents = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        int wsClients = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        boolean webhook = args.length <= 5 || Boolean.parseBoolean(args[5]);
        Path root = FlowBenchmark.prepareContent(agents);
        int sipPort = Sipp.freePort();
        try (EmbeddedPostgres postgres = Bench.postgres(root.resolve("pgdata")).start()) {
            List<String> settings = new ArrayList<>(FlowBenchmark.settings(root, sipPort));
            // The default limits (600 requests a minute per user) are for people; an integration raises them.
            settings.add("--callflow.http.rate-limit.per-user=1000000");
            settings.add("--callflow.http.rate-limit.per-source=1000000");
            settings.add("--callflow.admin.password=bench-admin-password");
            ConfigurableApplicationContext app = Bench.startOnPostgres(postgres, settings);
            try {
                run(app, root, sipPort, seconds, apiRate, callRate, agents, wsClients, webhook);
            } finally {
                app.close();
            }
        }
        System.exit(0);
    }

    private static void run(ConfigurableApplicationContext app, Path root, int sipPort, int seconds, int apiRate,
            int callRate, int agents, int wsClients, boolean webhook) throws Exception {
        JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
        String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
        Process uas = FlowBenchmark.registerAgents(jdbc, root, sipPort, agents);
        try {
            Client client = new Client(base, "admin", "bench-admin-password");
            // Warm-up (not reported): calls and requests at the measured rates for a third of the time.
            int warm = Math.max(10, seconds / 3);
            Process warmCalls = callers(root, sipPort, callRate, warm);
            load(client, jdbc, apiRate, warm);
            // A fresh client for the measured run, so its error counts are the measured run's own.
            client = new Client(base, "admin", "bench-admin-password");
            warmCalls.waitFor(warm + 120L, TimeUnit.SECONDS);
            WebhookReceiver receiver = WebhookReceiver.start();
            HttpResponse<String> subscribed = client.http.send(client.postBuilder("/api/v1/webhooks",
                    "{\"url\": \"" + receiver.url() + "\", \"eventTypes\": [\"*\"]}").build(),
                    HttpResponse.BodyHandlers.ofString());
            if (!webhook) {
                client.http.send(client.delete("/api/v1/webhooks/" + new ObjectMapper().readTree(subscribed.body())
                        .path("id").asText()), HttpResponse.BodyHandlers.discarding());
            }
            if (subscribed.statusCode() != 201) {
                throw new IllegalStateException("webhook subscription refused: " + subscribed.body());
            }
            // Live events: WebSocket clients as a wallboard's, each keeping the lag of every call event it receives
            // (from the event's time, taken in the transaction of the change, to the frame's arrival).
            List<Long> fanOut = java.util.Collections.synchronizedList(new ArrayList<>());
            List<LiveEventClient> sockets = new ArrayList<>();
            for (int i = 0; i < wsClients; i++) {
                sockets.add(LiveEventClient.webSocket(URI.create(base), "admin", "bench-admin-password",
                        "types=call.arrived,call.queued,call.offered,call.answered,call.ended", received -> {
                            String at = received.json().path("occurredAt").asText();
                            if (!at.isEmpty() && received.type().startsWith("call.")) {
                                var occurred = java.time.Instant.parse(at);
                                fanOut.add(System.currentTimeMillis() * 1000 - (occurred.getEpochSecond() * 1_000_000
                                        + occurred.getNano() / 1000));
                            }
                        }));
            }
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long http0 = httpThreadsCpu();
            long pg0 = Bench.postgresCpu(root.resolve("pgdata"));
            long wall0 = System.nanoTime();
            Process calls = callers(root, sipPort, callRate, seconds);
            Map<String, List<Long>> latencies = load(client, jdbc, apiRate, seconds);
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            double httpCpu = (httpThreadsCpu() - http0) / 1e6;
            double pgCpu = (Bench.postgresCpu(root.resolve("pgdata")) - pg0) / 1e6;
            double wall = (System.nanoTime() - wall0) / 1e9;
            boolean finished = calls.waitFor(seconds + 120L, TimeUnit.SECONDS);
            long connected = jdbc.queryForObject("select count(*) from call_record where agent is not null", Long.class);
            List<Long> all = new ArrayList<>();
            latencies.forEach((kind, values) -> {
                all.addAll(values);
                print(kind, values);
            });
            print("all", all);
            System.out.printf("api.load requests=%d rate_per_s=%d calls_per_s=%d seconds=%d errors=%d"
                    + " sipp_exit=%s calls_connected_total=%d cpu_cores=%.2f postgres_cores=%.2f"
                    + " http_threads_ms_per_request=%.2f load_avg=%.2f%n", all.size(), apiRate, callRate,
                    seconds, client.errors.get(), finished ? Integer.toString(calls.exitValue()) : "timeout",
                    connected, cpu / wall, pgCpu / 1000 / wall, httpCpu / Math.max(1, all.size()),
                    Bench.loadAverage());
            client.errorKinds.forEach((kind, n) -> System.out.printf("api.error %s n=%d%n", kind, n.get()));
            client.failed.forEach((kind, path) -> System.out.printf("api.error %s first=%s%n", kind, path));
            // Deliveries of the measured run's events: from each event's time to its arrival at the receiver.
            Thread.sleep(10_000);
            receiver.stop();
            sockets.forEach(LiveEventClient::close);
            print("webhook_lag", receiver.lagsMicros());
            synchronized (fanOut) {
                print("ws_fanout", fanOut);
            }
            System.out.printf("api.events websocket_clients=%d deliveries=%d%n", wsClients, fanOut.size());
            System.out.printf("api.webhooks delivered=%d events_in_outbox=%d%n", receiver.lagsMicros().size(),
                    jdbc.queryForObject("select count(*) from event_outbox", Long.class));
        } finally {
            uas.destroyForcibly();
        }
    }

    /** SIPp callers at {@code rate} per second; with rate 0 none (the API alone), a process that has ended. */
    /** CPU time (ns) of Tomcat's request threads: the server's own work per request, without the clients'. */
    private static long httpThreadsCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("http-nio")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private static Process callers(Path root, int sipPort, int rate, int seconds) throws Exception {
        if (rate == 0) {
            return new ProcessBuilder("true").start();
        }
        return Bench.sipp(root, "bench/flow/caller.xml", Sipp.freePort(), sipPort, "-s", "300", "-r",
                Integer.toString(rate), "-m", Integer.toString(rate * seconds), "-d", "1000", "-l", "100000", "-mp",
                Integer.toString(Sipp.freePort()));
    }

    /**
     * Sends {@code rate} requests a second for {@code seconds}, the mix cycling through reads (agents, one agent,
     * queue statistics, a call-record search, one recent record) and commands (pause and resume of spare agents
     * that take no calls); returns each kind's latencies in microseconds.
     */
    private static Map<String, List<Long>> load(Client client, JdbcTemplate jdbc, int rate, int seconds)
            throws InterruptedException {
        List<String> recent = jdbc.queryForList("select call_id from call_record order by started_at desc fetch first"
                + " 50 rows only", String.class);
        Map<String, Supplier<HttpRequest.Builder>> reads = new TreeMap<>();
        reads.put("agents", () -> client.get("/api/v1/agents"));
        reads.put("agent", () -> client.get("/api/v1/agents/bench-7"));
        reads.put("queue_stats", () -> client.get("/api/v1/queues/bench-3/stats"));
        reads.put("call_search", () -> client.get("/api/v1/calls?size=20&queue=bench-5"));
        reads.put("calls_live", () -> client.get("/api/v1/calls/live?queue=bench-2"));
        AtomicInteger next = new AtomicInteger();
        reads.put("call_record", () -> client.get("/api/v1/calls/"
                + (recent.isEmpty() ? "none" : recent.get(Math.floorMod(next.getAndIncrement(), recent.size())))));
        reads.put("call_timeline", () -> client.get("/api/v1/calls/"
                + (recent.isEmpty() ? "none" : recent.get(Math.floorMod(next.getAndIncrement(), recent.size())))
                + "/timeline"));
        List<String> kinds = new ArrayList<>(reads.keySet());
        kinds.add("agent_pause");
        kinds.add("agent_resume");
        Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
        int total = rate * seconds;
        CountDownLatch done = new CountDownLatch(total);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime() + 10_000_000;
        long gap = 1_000_000_000L / rate;
        AtomicInteger sent = new AtomicInteger();
        ticker.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            // Every request whose time has come is sent now, with its scheduled time as its start.
            while (sent.get() < total && start + sent.get() * gap <= now) {
                int n = sent.getAndIncrement();
                String kind = kinds.get(n % kinds.size());
                HttpRequest request = command(client, kind, n, reads);
                long scheduled = start + n * gap;
                client.http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, e) -> {
                    long micros = (System.nanoTime() - scheduled) / 1000;
                    latencies.computeIfAbsent(kind, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                            .add(micros);
                    // A command the agent's state does not allow (pausing an agent on a call) is a 409 by design.
                    boolean ok = e == null && (response.statusCode() < 300
                            || kind.startsWith("agent_") && response.statusCode() == 409);
                    if (!ok) {
                        client.errors.incrementAndGet();
                        client.errorKinds.computeIfAbsent(kind + (e == null ? "_" + response.statusCode()
                                : "_" + e.getClass().getSimpleName()), k -> new AtomicInteger()).incrementAndGet();
                        client.failed.putIfAbsent(kind, request.uri().getRawPath());
                    }
                    done.countDown();
                });
            }
        }, 0, 1, TimeUnit.MILLISECONDS);
        done.await(seconds + 60L, TimeUnit.SECONDS);
        ticker.shutdownNow();
        return latencies;
    }

    private static HttpRequest command(Client client, String kind, int n, Map<String, Supplier<HttpRequest.Builder>>
            reads) {
        // Twenty of the agents taking calls are paused and resumed in turn: a few hundred others carry the calls.
        String agent = "bench-" + (n / 7) % COMMANDED_AGENTS;
        return switch (kind) {
            case "agent_pause" -> client.post("/api/v1/agents/" + agent + "/pause", "{\"reason\":\"bench\"}");
            case "agent_resume" -> client.post("/api/v1/agents/" + agent + "/resume", "{}");
            default -> reads.get(kind).get().build();
        };
    }

    private static void print(String kind, List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        sorted.sort(null);
        System.out.printf("api.latency %-12s n=%6d p50_ms=%7.2f p95_ms=%7.2f p99_ms=%7.2f max_ms=%8.2f%n", kind,
                sorted.size(), at(sorted, 0.50), at(sorted, 0.95), at(sorted, 0.99), at(sorted, 1.0));
    }

    private static double at(List<Long> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN
                : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) / 1000.0;
    }

    /** An HTTP/1.1 client with Basic credentials on every request, as a stateless integration sends them. */
    private static final class Client {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(8)).build();
        final String base;
        final String authorization;
        final AtomicInteger errors = new AtomicInteger();
        final Map<String, AtomicInteger> errorKinds = new ConcurrentHashMap<>();
        final Map<String, String> failed = new ConcurrentHashMap<>();

        Client(String base, String user, String password) {
            this.base = base;
            this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }

        HttpRequest.Builder get(String path) {
            return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", authorization).GET();
        }

        HttpRequest post(String path, String json) {
            return postBuilder(path, json).build();
        }

        HttpRequest delete(String path) {
            return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", authorization).DELETE().build();
        }

        HttpRequest.Builder postBuilder(String path, String json) {
            return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", authorization).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json));
        }
    }

    /** A webhook receiver on loopback that answers 204 and keeps each delivery's lag from its event's time. */
    private record WebhookReceiver(HttpServer server, List<Long> lags) {

        static WebhookReceiver start() throws java.io.IOException {
            HttpServer server = HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            List<Long> lags = java.util.Collections.synchronizedList(new ArrayList<>());
            ObjectMapper json = new ObjectMapper();
            server.createContext("/events", exchange -> {
                long now = System.currentTimeMillis() * 1000;
                try (exchange) {
                    var event = json.readTree(exchange.getRequestBody());
                    var occurred = java.time.Instant.parse(event.get("occurredAt").asText());
                    lags.add(now - (occurred.getEpochSecond() * 1_000_000 + occurred.getNano() / 1000));
                    exchange.sendResponseHeaders(204, -1);
                }
            });
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
            return new WebhookReceiver(server, lags);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
        }

        List<Long> lagsMicros() {
            synchronized (lags) {
                return new ArrayList<>(lags);
            }
        }

        void stop() {
            server.stop(0);
        }
    }
}
