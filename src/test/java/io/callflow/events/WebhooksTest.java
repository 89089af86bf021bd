package io.callflow.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callflow.support.TestContent;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Webhooks over real HTTP on the embedded database: subscriptions through the API, events appended to the outbox,
 * signed requests arriving at a receiver on loopback, retries, failure, re-trigger, filters, batching and bad input.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "callflow.webhooks.poll-interval=100ms", "callflow.webhooks.backoff-initial=200ms",
        "callflow.webhooks.backoff-max=400ms", "callflow.webhooks.max-attempts=3",
        "callflow.webhooks.connect-timeout=1s", "callflow.webhooks.request-timeout=2s",
        "callflow.webhooks.claim-lease=10s", "callflow.webhooks.max-batch-size=10"})
@ActiveProfiles("test")
@DirtiesContext
class WebhooksTest {

    static final TestContent CONTENT = TestContent.create();
    static final WebhookReceiver RECEIVER = new WebhookReceiver();
    static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    @DynamicPropertySource
    static void content(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("none.yml").toString());
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.close();
    }

    @Autowired TestRestTemplate http;
    @Autowired Outbox outbox;
    @Autowired TransactionTemplate transactions;
    @Autowired JdbcTemplate jdbc;
    @Autowired ObjectMapper json;
    @Autowired MeterRegistry meters;
    @Autowired WebhookRetention retention;

    @BeforeEach
    void freshReceiverAndNoSubscriptions() {
        RECEIVER.clear();
        jdbc.update("delete from webhook_subscription");
    }

    @Test
    void anEventArrivesSignedWithTheSecretShownOnceAndTheReceiverCanVerifyIt() throws Exception {
        ResponseEntity<Map<String, Object>> created = post("/api/v1/webhooks", Map.of("url", RECEIVER.url("/hook"),
                "eventTypes", List.of("call.ended")));
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String id = (String) created.getBody().get("id");
        String secret = (String) created.getBody().get("secret");
        assertThat(secret).startsWith("whsec_").hasSizeGreaterThan(40);
        assertThat(created.getBody()).containsEntry("batchSize", 1).containsEntry("active", true)
                .containsEntry("createdBy", "admin");
        assertThat(get("/api/v1/webhooks/" + id).getBody()).doesNotContainKey("secret").containsEntry("id", id);
        assertThat(admin().getForObject("/api/v1/webhooks", String.class)).contains(id).doesNotContain(secret)
                .doesNotContain("\"secret\"");

        PlatformEvent event = append("call.ended", "sales");
        await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVER.received().size() == 1);

        WebhookReceiver.Received request = RECEIVER.received().get(0);
        assertThat(WebhookReceiver.verify(secret, request)).isTrue();
        assertThat(WebhookReceiver.verify("whsec_wrong", request)).isFalse();
        assertThat(request.eventIds()).isEqualTo(event.id().toString());
        assertThat(request.eventTypes()).isEqualTo("call.ended");
        assertThat(Long.parseLong(request.timestamp())).isCloseTo(Instant.now().getEpochSecond(),
                org.assertj.core.data.Offset.offset(30L));
        JsonNode body = json.readTree(request.body());
        assertThat(body.get("id").asText()).isEqualTo(event.id().toString());
        assertThat(body.get("type").asText()).isEqualTo("call.ended");
        assertThat(body.get("version").asInt()).isEqualTo(1);
        assertThat(body.get("queue").asText()).isEqualTo("sales");
        assertThat(body.get("data").get("cause").asText()).isEqualTo("NORMAL");
        // The database keeps microseconds (H2 rounds the nanoseconds, PostgreSQL too).
        assertThat(Instant.parse(body.get("occurredAt").asText())).isCloseTo(event.occurredAt(),
                org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MICROS));

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries(id, "DELIVERED").size() == 1);
        Map<String, Object> delivery = deliveries(id, "DELIVERED").get(0);
        assertThat(delivery).containsEntry("eventId", event.id().toString()).containsEntry("attempts", 1)
                .containsEntry("lastStatus", 200);
        assertThat(meters.get("callflow.webhooks.delivery.lag").timer().count()).isPositive();
    }

    @Test
    void withNoSubscriptionNothingIsMarkedAndANewSubscriptionGetsOnlyWhatCommitsAfterIt() {
        PlatformEvent before = append("call.answered", "sales");
        long seq = jdbc.queryForObject("select seq from event_outbox where event_id = ?", Long.class,
                before.id().toString());
        // Nobody subscribed: the fan-out's floor passes the row without reading or marking it.
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "select floor_seq from webhook_cursor where id = 1", Long.class) >= seq);
        assertThat(fannedOut(before)).isFalse();

        String id = subscribe(RECEIVER.url("/after"), List.of("*"), null, 1);
        PlatformEvent after = append("call.ended", "sales");
        await().atMost(Duration.ofSeconds(15)).until(() -> deliveries(id, "DELIVERED").size() == 1);
        assertThat(RECEIVER.received()).extracting(WebhookReceiver.Received::eventIds)
                .containsOnly(after.id().toString());
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheEventOnTheThirdAttemptWithTheSameIdempotencyKey() {
        String id = subscribe(RECEIVER.url("/flaky"), List.of("*"), null, 1);
        RECEIVER.script(500, 503);

        PlatformEvent event = append("call.answered", "sales");

        await().atMost(Duration.ofSeconds(15)).until(() -> deliveries(id, "DELIVERED").size() == 1);
        assertThat(RECEIVER.received()).extracting(WebhookReceiver.Received::answeredWith).containsExactly(500, 503,
                200);
        assertThat(RECEIVER.received()).extracting(WebhookReceiver.Received::eventIds)
                .containsOnly(event.id().toString());
        assertThat(deliveries(id, "DELIVERED").get(0)).containsEntry("attempts", 3).containsEntry("lastStatus", 200);
        assertThat(meters.get("callflow.webhooks.deliveries").tag("outcome", "retried").counter().count())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void aDeadReceiverEndsInFailedAfterMaxAttemptsAndARetryThroughTheApiDeliversIt() {
        String id = subscribe(RECEIVER.url("/down"), List.of("call.arrived"), null, 1);
        RECEIVER.answer(500);

        PlatformEvent event = append("call.arrived", "sales");

        await().atMost(Duration.ofSeconds(15)).until(() -> deliveries(id, "FAILED").size() == 1);
        Map<String, Object> failed = deliveries(id, "FAILED").get(0);
        assertThat(failed).containsEntry("attempts", 3).containsEntry("lastStatus", 500)
                .containsEntry("lastError", "HTTP 500");
        assertThat(RECEIVER.received()).hasSize(3);

        RECEIVER.answer(200);
        Number deliveryId = (Number) failed.get("id");
        ResponseEntity<Map<String, Object>> retried = post("/api/v1/webhooks/deliveries/" + deliveryId + "/retry",
                null);
        assertThat(retried.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(id, "DELIVERED").size() == 1);
        assertThat(RECEIVER.received()).hasSize(4).last().extracting(WebhookReceiver.Received::eventIds)
                .isEqualTo(event.id().toString());

        // A delivered one may be sent again too (a receiver that lost it); a pending one is already on its way.
        assertThat(post("/api/v1/webhooks/deliveries/" + deliveryId + "/retry", null).getStatusCode())
                .isEqualTo(HttpStatus.ACCEPTED);
        await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVER.received().size() == 5);
        PlatformEvent later = append("call.arrived", "sales");
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(id, null).size() == 2);
        // Held PENDING (a retry due tomorrow) whatever the receiver did with it meanwhile.
        jdbc.update("update webhook_delivery set state = 'PENDING', finished_at = null, claimed_by = null,"
                + " next_attempt_at = ? where event_id = ?", Timestamp.from(Instant.now().plus(Duration.ofDays(1))),
                later.id().toString());
        Number pending = (Number) deliveries(id, "PENDING").get(0).get("id");
        assertThat(post("/api/v1/webhooks/deliveries/" + pending + "/retry", null).getStatusCode())
                .isEqualTo(HttpStatus.CONFLICT);
        assertThat(post("/api/v1/webhooks/deliveries/999999/retry", null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void typeAndQueueFiltersChooseTheEventsAndAnInactiveSubscriptionGetsNone() {
        String salesEnds = subscribe(RECEIVER.url("/sales-ends"), List.of("call.ended"), "sales", 1);
        String inactive = subscribe(RECEIVER.url("/inactive"), List.of("*"), null, 1);
        Map<String, Object> off = Map.of("url", RECEIVER.url("/inactive"), "eventTypes", List.of("*"), "active",
                false);
        assertThat(put("/api/v1/webhooks/" + inactive, off).getBody()).containsEntry("active", false);

        append("call.arrived", "sales");
        append("call.ended", "support");
        PlatformEvent wanted = append("call.ended", "sales");
        PlatformEvent last = append("agent.state_changed", null);

        await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVER.receivedAt("/sales-ends").size() == 1);
        // Every event up to the last is fanned out by now; anything else would have arrived with it.
        await().atMost(Duration.ofSeconds(5)).until(() -> fannedOut(last));
        assertThat(RECEIVER.receivedAt("/sales-ends")).extracting(WebhookReceiver.Received::eventIds)
                .containsExactly(wanted.id().toString());
        assertThat(RECEIVER.receivedAt("/inactive")).isEmpty();
        assertThat(deliveries(salesEnds, null)).hasSize(1);
        assertThat(deliveries(inactive, null)).isEmpty();
    }

    @Test
    void aBatchingSubscriptionGetsArraysWithEveryIdInTheHeader() throws Exception {
        String id = subscribe(RECEIVER.url("/batch"), List.of("*"), null, 5);
        String secret = (String) post("/api/v1/webhooks/" + id + "/rotate-secret", null).getBody().get("secret");
        assertThat(secret).startsWith("whsec_");
        // One transaction: the fan-out sees all seven at once, so the sender finds them all due together.
        List<PlatformEvent> events = transactions.execute(status -> List.of(event("call.arrived"),
                event("call.queued"), event("call.offered"), event("call.answered"), event("call.ended"),
                event("call.arrived"), event("call.ended")));

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(id, "DELIVERED").size() == events.size());
        List<WebhookReceiver.Received> requests = RECEIVER.receivedAt("/batch");
        assertThat(requests).hasSize(2);
        List<String> ids = requests.stream().flatMap(request -> json(request.body()).findValuesAsText("id").stream())
                .toList();
        assertThat(ids).containsExactlyElementsOf(events.stream().map(event -> event.id().toString()).toList());
        assertThat(json(requests.get(0).body()).isArray()).isTrue();
        assertThat(json(requests.get(0).body())).hasSize(5);
        assertThat(requests.get(0).eventIds().split(", ")).containsExactlyElementsOf(ids.subList(0, 5));
        assertThat(requests.get(0).eventTypes()).isEqualTo(
                "call.arrived, call.queued, call.offered, call.answered, call.ended");
        assertThat(WebhookReceiver.verify(secret, requests.get(1))).isTrue();
    }

    @Test
    void aSlowReceiverDoesNotHoldUpAnotherOne() {
        subscribe(RECEIVER.url("/slow"), List.of("*"), null, 1);
        subscribe(RECEIVER.url("/fast"), List.of("*"), null, 1);
        RECEIVER.delay(1500);

        append("call.arrived", "sales");
        append("call.queued", "sales");

        // The slow one answers its two requests one after the other, in 3 s at least; the fast one needs no wait.
        await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVER.receivedAt("/fast").size() == 2);
        assertThat(RECEIVER.receivedAt("/slow")).hasSizeLessThan(2);
        await().atMost(Duration.ofSeconds(15)).until(() -> RECEIVER.receivedAt("/slow").size() == 2);
        RECEIVER.delay(0);
    }

    @Test
    void aTestPingReachesTheReceiverWhateverTheFilter() throws Exception {
        ResponseEntity<Map<String, Object>> created = post("/api/v1/webhooks", Map.of("url", RECEIVER.url("/ping"),
                "eventTypes", List.of("call.ended"), "queue", "nowhere", "secret", "my-own-secret-0123456789"));
        String id = (String) created.getBody().get("id");
        assertThat(created.getBody()).containsEntry("secret", "my-own-secret-0123456789");

        ResponseEntity<Map<String, Object>> ping = post("/api/v1/webhooks/" + id + "/test", null);

        assertThat(ping.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(ping.getBody()).containsEntry("eventType", "webhook.ping").containsKey("id");
        await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVER.receivedAt("/ping").size() == 1);
        WebhookReceiver.Received request = RECEIVER.receivedAt("/ping").get(0);
        assertThat(request.eventTypes()).isEqualTo("webhook.ping");
        assertThat(WebhookReceiver.verify("my-own-secret-0123456789", request)).isTrue();
        assertThat(json(request.body()).get("data").get("requestedBy").asText()).isEqualTo("admin");
    }

    @Test
    void finishedDeliveriesOlderThanTheRetentionAreDeletedAndPendingOnesStay() {
        String id = subscribe(RECEIVER.url("/old"), List.of("*"), null, 1);
        append("call.arrived", "sales");
        PlatformEvent waiting = append("call.ended", "sales");
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(id, "DELIVERED").size() == 2);
        Timestamp monthAgo = Timestamp.from(Instant.now().minus(Duration.ofDays(31)));
        jdbc.update("update webhook_delivery set finished_at = ?, created_at = ? where subscription_id = ?", monthAgo,
                monthAgo, id);
        // One still waiting for a retry tomorrow, however old.
        jdbc.update("update webhook_delivery set state = 'PENDING', finished_at = null, next_attempt_at = ?"
                + " where event_id = ?", Timestamp.from(Instant.now().plus(Duration.ofDays(1))),
                waiting.id().toString());

        retention.run();

        assertThat(deliveries(id, "DELIVERED")).isEmpty();
        assertThat(deliveries(id, "PENDING")).hasSize(1);
    }

    @Test
    void badInputIsRefusedWithProblemDetails() {
        String url = RECEIVER.url("/x");
        assertBad(Map.of("url", "ftp://example.com/x", "eventTypes", List.of("*")), "absolute http or https");
        assertBad(Map.of("url", "/relative", "eventTypes", List.of("*")), "absolute http or https");
        assertBad(Map.of("url", "http://user:pw@example.com/x", "eventTypes", List.of("*")), "user info");
        assertBad(Map.of("url", "http://exa mple.com/", "eventTypes", List.of("*")), "not a valid URL");
        assertBad(Map.of("eventTypes", List.of("*")), "'url' is required");
        assertBad(Map.of("url", url, "eventTypes", List.of("call.exploded")), "unknown event type 'call.exploded'");
        assertBad(Map.of("url", url, "eventTypes", List.of("queue.stats")), "unknown event type 'queue.stats'");
        assertBad(Map.of("url", url, "eventTypes", List.of()), "'eventTypes' must list at least one");
        assertBad(Map.of("url", url, "eventTypes", List.of("*"), "batchSize", 0), "'batchSize' must be between 1");
        assertBad(Map.of("url", url, "eventTypes", List.of("*"), "batchSize", 11), "'batchSize' must be between 1");
        assertBad(Map.of("url", url, "eventTypes", List.of("*"), "secret", "short"), "'secret' must be 16");
        assertThat(postText("/api/v1/webhooks", "{not json").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(postText("/api/v1/webhooks", "{\"url\":\"" + url + "\",\"eventTypes\":\"*\",\"batchSize\":\"x\"}")
                .getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);

        String id = subscribe(url, List.of("*"), null, 1);
        ResponseEntity<Map<String, Object>> secretChange = put("/api/v1/webhooks/" + id, Map.of("url", url,
                "eventTypes", List.of("*"), "secret", "another-secret-0123456789"));
        assertThat(secretChange.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat((String) secretChange.getBody().get("detail")).contains("rotate-secret");
        assertThat(get("/api/v1/webhooks/" + id + "/deliveries?state=LOST").getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(get("/api/v1/webhooks/" + id + "/deliveries?size=501").getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
        String unknown = UUID.randomUUID().toString();
        assertThat(get("/api/v1/webhooks/" + unknown).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(get("/api/v1/webhooks/" + unknown + "/deliveries").getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(put("/api/v1/webhooks/" + unknown, Map.of("url", url, "eventTypes", List.of("*")))
                .getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(post("/api/v1/webhooks/" + unknown + "/rotate-secret", null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(post("/api/v1/webhooks/" + unknown + "/test", null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(post("/api/v1/webhooks/deliveries/abc/retry", null).getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
        ResponseEntity<Map<String, Object>> deleted = admin().exchange("/api/v1/webhooks/" + id, HttpMethod.DELETE,
                null, JSON);
        assertThat(deleted.getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(admin().exchange("/api/v1/webhooks/" + id, HttpMethod.DELETE, null, JSON).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
    }

    // --- helpers

    private PlatformEvent append(String type, String queue) {
        PlatformEvent event = PlatformEvent.of(type, 1, Instant.now(), "call-" + System.nanoTime(), queue, null,
                Map.of("cause", "NORMAL"));
        transactions.executeWithoutResult(status -> outbox.append(event));
        return event;
    }

    /** Appends an event in the caller's transaction. */
    private PlatformEvent event(String type) {
        PlatformEvent event = PlatformEvent.of(type, 1, Instant.now(), "call-batch", "sales", null, Map.of());
        outbox.append(event);
        return event;
    }

    private boolean fannedOut(PlatformEvent event) {
        return jdbc.queryForObject("select count(*) from webhook_fanout f join event_outbox o on o.seq = f.seq"
                + " where o.event_id = ?", Integer.class, event.id().toString()) == 1;
    }

    private String subscribe(String url, List<String> types, String queue, int batchSize) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("url", url, "eventTypes", types, "batchSize",
                batchSize));
        if (queue != null) {
            body.put("queue", queue);
        }
        ResponseEntity<Map<String, Object>> created = post("/api/v1/webhooks", body);
        assertThat(created.getStatusCode()).as(String.valueOf(created.getBody())).isEqualTo(HttpStatus.CREATED);
        return (String) created.getBody().get("id");
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> deliveries(String id, String state) {
        Map<String, Object> page = get("/api/v1/webhooks/" + id + "/deliveries" + (state == null ? ""
                : "?state=" + state)).getBody();
        return (List<Map<String, Object>>) page.get("deliveries");
    }

    private void assertBad(Map<String, Object> body, String detail) {
        ResponseEntity<Map<String, Object>> answer = post("/api/v1/webhooks", body);
        assertThat(answer.getStatusCode()).as(body.toString()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat((String) answer.getBody().get("detail")).contains(detail);
    }

    private JsonNode json(String text) {
        try {
            return json.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    private TestRestTemplate admin() {
        return http.withBasicAuth("admin", "callflow");
    }

    private ResponseEntity<Map<String, Object>> get(String path) {
        return admin().exchange(path, HttpMethod.GET, null, JSON);
    }

    private ResponseEntity<Map<String, Object>> post(String path, Object body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return admin().exchange(path, HttpMethod.POST, new HttpEntity<>(body, headers), JSON);
    }

    private ResponseEntity<Map<String, Object>> postText(String path, String body) {
        return post(path, body);
    }

    private ResponseEntity<Map<String, Object>> put(String path, Object body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return admin().exchange(path, HttpMethod.PUT, new HttpEntity<>(body, headers), JSON);
    }
}
