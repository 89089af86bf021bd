package io.callflow.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.callflow.CallflowApplication;
import io.callflow.support.TestContent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Webhooks on a real PostgreSQL shared by two Callflow nodes: each event fanned out once and sent once although both
 * nodes work the same tables, a row that commits after later ones still delivered, and a restart that resumes the
 * deliveries the stopped nodes left pending.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookPostgresTest {

    static final EmbeddedPostgres POSTGRES = startPostgres();

    final WebhookReceiver receiver = new WebhookReceiver();
    final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    ConfigurableApplicationContext nodeA;
    ConfigurableApplicationContext nodeB;

    @BeforeAll
    void startTwoNodes() {
        nodeA = start("node-a", 47000);
        nodeB = start("node-b", 47500);
    }

    @AfterAll
    void stopEverything() throws IOException {
        nodes.forEach(ConfigurableApplicationContext::close);
        receiver.close();
        POSTGRES.close();
    }

    @Test
    @Order(1)
    void twoNodesSendEachEventOnceAndALateCommitIsNotSkipped() throws Exception {
        String subscription = subscribe(nodeA, "/two-nodes");
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService writers = Executors.newFixedThreadPool(5);
        // Takes its seq first and commits last: every other event below overtakes it.
        Future<PlatformEvent> late = writers.submit(() -> transactions(nodeA).execute(status -> {
            PlatformEvent event = event("call.arrived");
            bean(nodeA, Outbox.class).append(event);
            appended.countDown();
            waitFor(release);
            return event;
        }));
        assertThat(appended.await(30, TimeUnit.SECONDS)).isTrue();

        List<Future<PlatformEvent>> written = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ConfigurableApplicationContext node = i % 2 == 0 ? nodeA : nodeB;
            written.add(writers.submit(() -> transactions(node).execute(status -> {
                PlatformEvent event = event("call.queued");
                bean(node, Outbox.class).append(event);
                return event;
            })));
        }
        Set<String> ids = new java.util.HashSet<>();
        for (Future<PlatformEvent> future : written) {
            ids.add(future.get(60, TimeUnit.SECONDS).id().toString());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> receivedIds("/two-nodes").keySet().containsAll(ids));

        release.countDown();
        String lateId = late.get(30, TimeUnit.SECONDS).id().toString();
        await().atMost(Duration.ofSeconds(30)).until(() -> receivedIds("/two-nodes").containsKey(lateId));
        ids.add(lateId);

        assertThat(count("select count(*) from webhook_delivery where subscription_id = ?", subscription))
                .isEqualTo(101);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("select count(*) from webhook_delivery where"
                + " subscription_id = ? and state = 'DELIVERED' and attempts = 1", subscription) == 101);
        Map<String, Long> received = receivedIds("/two-nodes");
        assertThat(received.keySet()).isEqualTo(ids);
        assertThat(received.values()).as("each event sent once: leases keep the nodes apart").containsOnly(1L);
        assertThat(receiver.receivedAt("/two-nodes")).allMatch(request -> verify(nodeA, subscription, request));
        writers.shutdown();
    }

    @Test
    @Order(2)
    void deliveriesPendingWhenTheNodesStopAreSentByTheNextStart() {
        String subscription = subscribe(nodeA, "/restart");
        receiver.answer(500);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ConfigurableApplicationContext node = i % 2 == 0 ? nodeA : nodeB;
            PlatformEvent event = event("call.ended");
            transactions(node).executeWithoutResult(status -> bean(node, Outbox.class).append(event));
            ids.add(event.id().toString());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> count("select count(*) from webhook_delivery where"
                + " subscription_id = ? and state = 'PENDING' and attempts >= 1", subscription) == 20);

        nodeA.close();
        nodeB.close();
        receiver.answer(200);
        ConfigurableApplicationContext nodeC = start("node-c", 47000);

        await().atMost(Duration.ofSeconds(60)).until(() -> count("select count(*) from webhook_delivery where"
                + " subscription_id = ? and state = 'DELIVERED'", subscription) == 20);
        List<WebhookReceiver.Received> requests = receiver.receivedAt("/restart");
        Set<String> delivered = requests.stream().filter(request -> request.answeredWith() == 200)
                .map(WebhookReceiver.Received::eventIds).collect(Collectors.toSet());
        assertThat(delivered).containsExactlyInAnyOrderElementsOf(ids);
        // At least once: a repeat carries the same idempotency key and the same event.
        Map<String, Set<String>> bodiesById = requests.stream().collect(Collectors.groupingBy(
                WebhookReceiver.Received::eventIds, Collectors.mapping(WebhookReceiver.Received::body,
                        Collectors.toSet())));
        assertThat(bodiesById.values()).allMatch(bodies -> bodies.size() == 1);
        assertThat(requests).allMatch(request -> verify(nodeC, subscription, request));
    }

    // --- helpers

    private ConfigurableApplicationContext start(String nodeId, int rtpMin) {
        TestContent content = TestContent.create();
        List<String> args = new ArrayList<>(List.of(content.propertyArgs()));
        args.addAll(List.of("--spring.profiles.active=test,postgres",
                "--spring.datasource.url=" + POSTGRES.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres", "--spring.datasource.password=postgres",
                "--callflow.acd.provisioning-file=" + content.root().resolve("none.yml"),
                "--callflow.node-id=" + nodeId, "--callflow.media.rtp-port-min=" + rtpMin,
                "--callflow.media.rtp-port-max=" + (rtpMin + 499), "--callflow.content.hot-reload=false",
                "--callflow.webhooks.poll-interval=200ms", "--callflow.webhooks.backoff-initial=300ms",
                "--callflow.webhooks.backoff-max=1s", "--callflow.webhooks.max-attempts=100",
                "--callflow.webhooks.connect-timeout=1s", "--callflow.webhooks.request-timeout=2s",
                "--callflow.webhooks.claim-lease=10s"));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(CallflowApplication.class)
                .run(args.toArray(String[]::new));
        nodes.add(context);
        return context;
    }

    private String subscribe(ConfigurableApplicationContext node, String path) {
        WebhookSubscription created = bean(node, Webhooks.class).create(new WebhookRequest(receiver.url(path),
                List.of("*"), null, "secret-of-" + path.substring(1) + "-0123456789", true, 1), "test");
        return created.id();
    }

    private boolean verify(ConfigurableApplicationContext node, String subscription, WebhookReceiver.Received request) {
        try {
            return WebhookReceiver.verify(bean(node, JdbcTemplate.class).queryForObject(
                    "select secret from webhook_subscription where id = ?", String.class, subscription), request);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Map<String, Long> receivedIds(String path) {
        return receiver.receivedAt(path).stream().filter(request -> request.answeredWith() == 200)
                .collect(Collectors.groupingBy(WebhookReceiver.Received::eventIds, Collectors.counting()));
    }

    private int count(String sql, String subscription) {
        ConfigurableApplicationContext node = nodes.stream().filter(ConfigurableApplicationContext::isActive)
                .findFirst().orElseThrow();
        return bean(node, JdbcTemplate.class).queryForObject(sql, Integer.class, subscription);
    }

    private static PlatformEvent event(String type) {
        return PlatformEvent.of(type, 1, Instant.now(), "call-" + System.nanoTime(), "sales", null, Map.of());
    }

    private static TransactionTemplate transactions(ConfigurableApplicationContext node) {
        return bean(node, TransactionTemplate.class);
    }

    private static <T> T bean(ConfigurableApplicationContext node, Class<T> type) {
        return node.getBean(type);
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static EmbeddedPostgres startPostgres() {
        try {
            return EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL for the test", e);
        }
    }
}
