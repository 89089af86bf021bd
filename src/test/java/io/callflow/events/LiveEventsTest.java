package io.callflow.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callflow.acd.AgentState;
import io.callflow.acd.AgentStateRecorded;
import io.callflow.acd.Agents;
import io.callflow.acd.CallConnected;
import io.callflow.acd.CallOffered;
import io.callflow.acd.CallQueued;
import io.callflow.call.CallId;
import io.callflow.call.RegistrationChanged;
import io.callflow.flow.CallHoldChanged;
import io.callflow.flow.ConferenceChanged;
import io.callflow.flow.CallRecordClosed;
import io.callflow.flow.CallRecordOpened;
import io.callflow.flow.CallTransferred;
import io.callflow.support.LiveEventClient;
import io.callflow.support.TestContent;
import io.micrometer.core.instrument.MeterRegistry;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The events module on the embedded database over real HTTP: outbox rows commit and roll back with the change they
 * announce, every event type matches its documented schema, the WebSocket and SSE streams authenticate at the handshake
 * and keep to the viewer's role and filter, and a subscriber that does not read loses events without slowing anyone.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveEventsTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/test.drl", TestContent.RULE)
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, name: Alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                      - { id: bob, name: Bob, sipUser: "1002", password: bob-1002, skills: { english: 8 } }
                    queues:
                      - { name: sales, members: [ alice ] }
                      - { name: support, members: [ bob ] }
                    """);
    static final Duration WAIT = Duration.ofSeconds(10);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
        registry.add("callflow.events.live.queue-stats-interval", () -> "300ms");
    }

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    @Autowired TransactionTemplate tx;
    @Autowired ApplicationEventPublisher events;
    @Autowired Agents agents;
    @Autowired LiveEvents live;
    @Autowired Outbox outbox;
    @Autowired OutboxRetention retention;
    @Autowired IdentityService identityService;
    @Autowired MeterRegistry meters;
    @Autowired ObjectMapper json;

    URI base;

    @BeforeAll
    void usersAndPhones() {
        base = URI.create("http://127.0.0.1:" + port);
        createUser("alice", "alice-pw", "callflow-agent");
        createUser("bob", "bob-password", "callflow-agent");
        createUser("mallory", "mallory-pw", null);
        events.publishEvent(new RegistrationChanged("1001", 1, Instant.now()));
        events.publishEvent(new RegistrationChanged("1002", 1, Instant.now()));
        await().atMost(WAIT).until(() -> agents.find("alice").orElseThrow().state() == AgentState.AVAILABLE
                && agents.find("bob").orElseThrow().state() == AgentState.AVAILABLE);
    }

    @Test
    void anOutboxRowRollsBackWithItsTransactionAndIsThereAfterCommit() {
        long before = count("agent.state_changed", "alice");
        tx.executeWithoutResult(status -> {
            assertThat(agents.pause("alice", "rolled back")).isTrue();
            assertThat(count("agent.state_changed", "alice")).isEqualTo(before + 1);
            status.setRollbackOnly();
        });
        assertThat(count("agent.state_changed", "alice")).isEqualTo(before);
        assertThat(agents.find("alice").orElseThrow().state()).isEqualTo(AgentState.AVAILABLE);

        tx.executeWithoutResult(status -> agents.pause("alice", "committed"));
        assertThat(count("agent.state_changed", "alice")).isEqualTo(before + 1);
        assertThat(jdbc.queryForObject("select data from event_outbox where event_type = 'agent.state_changed'"
                + " and agent_id = 'alice' order by seq desc fetch first 1 rows only", String.class))
                .contains("\"to\":\"PAUSED\"", "\"reason\":\"committed\"");
        agents.resume("alice");
    }

    @Test
    void outboxRowsOlderThanTheRetentionAreDeleted() {
        outbox.append(PlatformEvent.of("call.arrived", 1, Instant.now().minus(Duration.ofDays(8)), "retention-old",
                null, null, Map.of("caller", "", "did", "100", "flow", "inbound-call")));
        outbox.append(PlatformEvent.of("call.arrived", 1, Instant.now().minus(Duration.ofDays(6)), "retention-new",
                null, null, Map.of("caller", "", "did", "100", "flow", "inbound-call")));

        assertThat(retention.deleteOlderThan(Duration.ofDays(7))).isOne();

        assertThat(jdbc.queryForList("select call_id from event_outbox where call_id like 'retention-%'",
                String.class)).containsExactly("retention-new");
    }

    @Test
    void everyEventTypeMatchesItsDocumentedSchema() throws Exception {
        long from = jdbc.queryForObject("select coalesce(max(seq), 0) from event_outbox", Long.class);
        announceCall("schema-call", "bob", "support");
        tx.executeWithoutResult(status -> events.publishEvent(new CallTransferred(new CallId("schema-call"),
                "sip:+4930999@example.com", "support", "bob", Instant.now())));
        tx.executeWithoutResult(status -> events.publishEvent(new io.callflow.flow.CallMonitored(
                new CallId("schema-call"), "CONNECTED", "WHISPER", "boss", "carol", "bob", Instant.now())));
        tx.executeWithoutResult(status -> events.publishEvent(new CallRecordClosed(new CallId("schema-lost"),
                "NODE_LOST", "NODE_LOST", null, null, null, null, null, Instant.now())));
        tx.executeWithoutResult(status -> events.publishEvent(new CallHoldChanged(new CallId("schema-call"), true,
                "api", "boss", "support", "bob", Instant.now())));
        tx.executeWithoutResult(status -> events.publishEvent(new CallHoldChanged(new CallId("schema-call"), false,
                "agent-phone", null, "support", "bob", Instant.now())));
        for (String action : List.of(ConferenceChanged.JOINED, ConferenceChanged.MUTED, ConferenceChanged.LEFT)) {
            tx.executeWithoutResult(status -> events.publishEvent(new ConferenceChanged("room-1", action, "p3",
                    "agent", "carol", "carol", new CallId("schema-call"), action.equals(ConferenceChanged.MUTED),
                    action.equals(ConferenceChanged.LEFT) ? "REMOTE_HANGUP" : null, Instant.now())));
        }
        agents.pause("bob", "schema");
        agents.resume("bob");

        List<JsonNode> emitted = new ArrayList<>();
        for (Map<String, Object> row : jdbc.queryForList("select seq from event_outbox where seq > ? order by seq",
                from)) {
            // Each row as subscribers and webhooks see it: the envelope as Jackson writes it.
            long seq = ((Number) row.get("seq")).longValue();
            emitted.add(json.valueToTree(jdbc.query("select * from event_outbox where seq = ?",
                    (rs, n) -> new Outbox(jdbc, json).entry(rs, n), seq).get(0).event()));
        }
        try (LiveEventClient stats = LiveEventClient.sse(base, "admin", "callflow", "types=queue.stats")) {
            emitted.add(stats.next(e -> e.type().equals("queue.stats"), WAIT).json());
        }
        assertThat(emitted).extracting(e -> e.path("type").asText()).contains("call.arrived", "call.queued",
                "call.offered", "call.answered", "call.transferred", "call.ended", "call.monitored",
                "agent.state_changed", "queue.stats", "call.held", "call.resumed", "conference.participant_joined",
                "conference.participant_muted", "conference.participant_left");
        for (JsonNode event : emitted) {
            assertThat(EventSchemas.violations(event)).as(event.toString()).isEmpty();
        }
    }

    @Test
    void aWrongPasswordOrNoRoleIsRefusedAtTheHandshake() {
        assertThatThrownBy(() -> LiveEventClient.webSocket(base, "admin", "wrong", ""))
                .isInstanceOfSatisfying(LiveEventClient.Refused.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThatThrownBy(() -> LiveEventClient.sse(base, "admin", "wrong", ""))
                .isInstanceOfSatisfying(LiveEventClient.Refused.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThatThrownBy(() -> LiveEventClient.webSocket(base, "mallory", "mallory-pw", ""))
                .isInstanceOfSatisfying(LiveEventClient.Refused.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> LiveEventClient.sse(base, "mallory", "mallory-pw", ""))
                .isInstanceOfSatisfying(LiveEventClient.Refused.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    @Test
    void anUnknownEventTypeIsABadRequestOnBothTransports() {
        assertThatThrownBy(() -> LiveEventClient.sse(base, "admin", "callflow", "types=call.exploded"))
                .isInstanceOfSatisfying(LiveEventClient.Refused.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("call.exploded");
                });
        assertThatThrownBy(() -> LiveEventClient.webSocket(base, "admin", "callflow", "types=call.exploded"))
                .isInstanceOfSatisfying(LiveEventClient.Refused.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void anAgentSeesItsOwnCallsStateAndQueuesButNotAnotherAgents() throws Exception {
        try (LiveEventClient alice = LiveEventClient.webSocket(base, "alice", "alice-pw", "");
                LiveEventClient aliceSse = LiveEventClient.sse(base, "alice", "alice-pw", "");
                LiveEventClient supervisor = LiveEventClient.sse(base, "admin", "callflow", "types=call.ended")) {
            alice.next(e -> e.type().equals("stream.subscribed"), WAIT);
            aliceSse.next(e -> e.type().equals("stream.subscribed"), WAIT);
            supervisor.next(e -> e.type().equals("stream.subscribed"), WAIT);

            announceCall("bobs-call", "bob", "support");
            agents.pause("bob", "lunch");
            agents.resume("bob");
            announceCall("alices-call", "alice", "sales");

            supervisor.next(e -> e.json().path("callId").asText().equals("bobs-call"), WAIT);
            supervisor.next(e -> e.json().path("callId").asText().equals("alices-call"), WAIT);
            for (LiveEventClient client : List.of(alice, aliceSse)) {
                client.next(e -> e.type().equals("call.ended") && e.json().path("callId").asText()
                        .equals("alices-call"), WAIT);
                client.next(e -> e.type().equals("queue.stats"), WAIT);
                assertThat(client.all()).noneMatch(e -> e.json().toString().contains("bob"));
                assertThat(client.all()).filteredOn(e -> e.type().equals("queue.stats"))
                        .allMatch(e -> e.json().path("queue").asText().equals("sales"));
                assertThat(client.all()).filteredOn(e -> e.json().path("callId").asText().equals("alices-call"))
                        .extracting(LiveEventClient.Received::type)
                        .containsSubsequence("call.offered", "call.answered", "call.ended");
            }
            assertThat(aliceSse.all()).filteredOn(e -> e.type().startsWith("call."))
                    .allMatch(e -> e.sseEvent().equals(e.type()) && e.sseId().equals(e.json().path("id").asText()));
            assertThat(supervisor.all()).extracting(LiveEventClient.Received::type)
                    .containsOnly("stream.subscribed", "call.ended");
        }
    }

    /**
     * One subscriber's connection blocks completely (it never reads): publishing stays fast, another subscriber gets
     * every event, and the blocked one, once it moves again, is told how many events it lost.
     */
    @Test
    void aSubscriberThatDoesNotReadLosesItsOldestEventsWithoutSlowingAnyone() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        List<PlatformEvent> slowGot = Collections.synchronizedList(new ArrayList<>());
        List<PlatformEvent> fastGot = Collections.synchronizedList(new ArrayList<>());
        double droppedBefore = meters.counter("callflow.events.dropped").count();
        int subscribersBefore = live.subscribers();
        EventFilter only = EventFilter.parse("call.arrived", null, null);
        try (Subscription slow = live.subscribe(new Viewer("admin", true), only, sink(slowGot, unblock));
                Subscription fast = live.subscribe(new Viewer("boss", true), only, sink(fastGot, null))) {
            assertThat(meters.get("callflow.events.subscribers").gauge().value()).isEqualTo(subscribersBefore + 2);
            int total = 5_000;
            // In bursts of half the subscriber buffer, each read before the next: the reading subscriber must never
            // fall behind on a busy machine (it would rightly lose events too), while the blocked one overflows.
            int burst = 500;
            long publishing = 0;
            for (int sent = 0; sent < total; sent += burst) {
                long started = System.nanoTime();
                for (int i = sent; i < sent + burst; i++) {
                    live.publish(PlatformEvent.of("call.arrived", 1, Instant.now(), "flood-" + i, null, null,
                            Map.of("caller", "", "did", "100", "flow", "inbound-call")));
                }
                publishing += System.nanoTime() - started;
                int expected = sent + burst;
                await().atMost(WAIT).until(() -> arrived(fastGot) == expected);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(publishing))
                    .as("publishing %d events with one blocked subscriber", total).isLessThan(2_000);

            unblock.countDown();
            await().atMost(WAIT).until(() -> slowGot.stream().anyMatch(e -> e.type().equals("stream.dropped")));
            await().atMost(WAIT).until(() -> arrived(slowGot) + dropped(slowGot) == total);
            assertThat(dropped(slowGot)).isGreaterThanOrEqualTo(total - 1_000 - 1);
            assertThat(fastGot).noneMatch(e -> e.type().equals("stream.dropped"));
            assertThat(meters.counter("callflow.events.dropped").count() - droppedBefore).isEqualTo(dropped(slowGot));
        }
        await().atMost(WAIT).until(() -> live.subscribers() == subscribersBefore);
    }

    /** Two transactions commit in the opposite order of their seqs: the relay still delivers both. */
    @Test
    void anEventCommittedOutOfSeqOrderIsStillDelivered() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        try (LiveEventClient client = LiveEventClient.webSocket(base, "admin", "callflow", "types=call.arrived")) {
            client.next(e -> e.type().equals("stream.subscribed"), WAIT);
            Future<?> early = thread.submit(() -> tx.executeWithoutResult(status -> {
                arrive("early-seq-late-commit");
                appended.countDown();
                try {
                    commit.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertThat(appended.await(10, TimeUnit.SECONDS)).isTrue();
            tx.executeWithoutResult(status -> arrive("late-seq-early-commit"));
            client.next(e -> e.json().path("callId").asText().equals("late-seq-early-commit"), WAIT);
            assertThat(early.isDone()).as("the first transaction is still open").isFalse();
            commit.countDown();
            early.get(10, TimeUnit.SECONDS);
            client.next(e -> e.json().path("callId").asText().equals("early-seq-late-commit"), WAIT);
            assertThat(jdbc.queryForList("select call_id from event_outbox where call_id like '%-commit' order by seq",
                    String.class)).containsExactly("early-seq-late-commit", "late-seq-early-commit");
        } finally {
            thread.shutdownNow();
        }
    }

    private void arrive(String callId) {
        events.publishEvent(new CallRecordOpened(new CallId(callId), "+4930111", "100", null, "inbound-call",
                Instant.now(), false));
    }

    /** A call's records as the flow and the ACD publish them, each in a transaction of its own. */
    private void announceCall(String callId, String agent, String queue) {
        CallId id = new CallId(callId);
        Instant now = Instant.now();
        tx.executeWithoutResult(status -> arrive(callId));
        tx.executeWithoutResult(status -> events.publishEvent(new CallQueued(id, queue, "+4930111", 0, false, now)));
        tx.executeWithoutResult(status -> {
            events.publishEvent(new AgentStateRecorded(agent, AgentState.AVAILABLE, AgentState.RESERVED, null, callId,
                    now));
            events.publishEvent(new CallOffered(id, queue, agent, "100" + agent.length(), 2, now));
        });
        tx.executeWithoutResult(status -> events.publishEvent(new CallConnected(id, queue, agent, 3, now)));
        tx.executeWithoutResult(status -> events.publishEvent(new CallRecordClosed(id, "CallCompletedByCaller",
                "REMOTE_HANGUP", "+4930111", "100", queue, agent, now, now)));
    }

    private static EventSink sink(List<PlatformEvent> got, CountDownLatch blockedUntil) {
        return new EventSink() {
            @Override
            public void send(PlatformEvent event, String json) throws IOException {
                try {
                    if (blockedUntil != null) {
                        blockedUntil.await();
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                got.add(event);
            }

            @Override
            public void heartbeat() {
            }

            @Override
            public void close() {
            }
        };
    }

    private static long arrived(List<PlatformEvent> got) {
        synchronized (got) {
            return got.stream().filter(e -> e.type().equals("call.arrived")).count();
        }
    }

    private static long dropped(List<PlatformEvent> got) {
        synchronized (got) {
            return got.stream().filter(e -> e.type().equals("stream.dropped"))
                    .mapToLong(e -> ((Number) e.data().get("dropped")).longValue()).sum();
        }
    }

    private long count(String type, String agent) {
        return jdbc.queryForObject("select count(*) from event_outbox where event_type = ? and agent_id = ?",
                Long.class, type, agent);
    }

    private void createUser(String id, String password, String group) {
        User user = identityService.newUser(id);
        user.setPassword(password);
        identityService.saveUser(user);
        if (group != null) {
            identityService.createMembership(id, group);
        }
    }
}
