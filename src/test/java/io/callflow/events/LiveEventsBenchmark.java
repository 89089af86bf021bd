package io.callflow.events;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import io.callflow.support.Bench;
import io.callflow.support.LiveEventClient;
import io.callflow.support.TestContent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Live event fan-out (bench/events/run.sh): Callflow on an embedded PostgreSQL with N WebSocket clients connected;
 * events are appended to the outbox, each in its own transaction, at a steady rate, and every client measures the time
 * from the append's commit to its own receipt of the frame. Prints p50/p95/p99/max over all deliveries.
 */
public final class LiveEventsBenchmark {

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        TestContent content = TestContent.create().with("rules/test.drl", TestContent.RULE);
        List<String> settings = new ArrayList<>(List.of(content.propertyArgs()));
        settings.addAll(List.of("--callflow.sip.port=0", "--callflow.sip.bind-address=127.0.0.1",
                "--callflow.media.rtp-port-min=45000", "--callflow.media.rtp-port-max=45999"));
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                ConfigurableApplicationContext app = Bench.startOnPostgres(postgres, settings)) {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            URI base = URI.create("http://127.0.0.1:" + port);
            Outbox outbox = app.getBean(Outbox.class);
            TransactionTemplate tx = app.getBean(TransactionTemplate.class);
            String password = app.getEnvironment().getProperty("callflow.admin.password", "callflow");
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            List<LiveEventClient> connected = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                connected.add(LiveEventClient.webSocket(base, "admin", password, "types=call.arrived",
                        event -> {
                            long sent = event.json().path("data").path("committedNanos").asLong(0);
                            if (sent > 0) {
                                latencies.add(System.nanoTime() - sent);
                            }
                        }));
            }
            long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
            int total = perSecond * seconds;
            long next = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next += interval;
                int n = i;
                // The stamp is taken just before the commit: what a subscriber waits for is commit -> frame.
                tx.executeWithoutResult(status -> outbox.append(PlatformEvent.of(EventTypes.CALL_ARRIVED, 1,
                        Instant.now(), "bench-" + n, null, null, Map.of("committedNanos", System.nanoTime()))));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (latencies.size() < (long) total * clients && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            connected.forEach(LiveEventClient::close);
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("events.fanout clients=%d rate=%d/s events=%d deliveries=%d/%d p50=%.1fms p95=%.1fms"
                    + " p99=%.1fms max=%.1fms%n", clients, perSecond, total, sorted.length, (long) total * clients,
                    ms(sorted, 0.50), ms(sorted, 0.95), ms(sorted, 0.99), ms(sorted, 1.0));
        }
        System.exit(0);
    }

    private static double ms(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
