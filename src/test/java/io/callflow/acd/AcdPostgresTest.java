package io.callflow.acd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallId;
import io.callflow.call.DialPlan;
import io.callflow.call.RegistrationChanged;
import io.callflow.call.SubscriberDirectory;
import io.callflow.routing.AgentRanker;
import io.callflow.support.TestContent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ACD on a real PostgreSQL: provisioning, agent states, event-driven reservation, fairness across queues, aging,
 * overflow decisions, statistics, and reservation under concurrency (including a second "node").
 */
@SpringBootTest(properties = {"callflow.acd.priority-aging=10s", "callflow.content.hot-reload=false"})
@ActiveProfiles({"test", "postgres"})
@DirtiesContext // the database stops after the class; the context must not outlive it in the test cache
class AcdPostgresTest {

    static final EmbeddedPostgres POSTGRES = start();
    static final TestContent CONTENT = TestContent.create();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("none.yml").toString());
        registry.add("spring.datasource.url", () -> POSTGRES.getJdbcUrl("postgres", "postgres"));
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
    }

    @AfterAll
    static void stop() throws IOException {
        POSTGRES.close();
    }

    @TestConfiguration
    static class Reservations {
        final BlockingQueue<AgentReserved> reserved = new LinkedBlockingQueue<>();

        final BlockingQueue<QueueLeft> left = new LinkedBlockingQueue<>();

        @EventListener
        void on(AgentReserved event) {
            reserved.add(event);
        }

        @EventListener
        void on(QueueLeft event) {
            left.add(event);
        }
    }

    /** The ACD alone: the call flows' reaction to reservations (ringing the agent) is not part of these tests. */
    @MockitoBean(name = "agentReservationCorrelator") Object flowsReactionToReservations;

    @Autowired JdbcTemplate jdbc;
    @Autowired TransactionTemplate tx;
    @Autowired CallDistributor distributor;
    @Autowired Dispatcher dispatcher;
    @Autowired ProvisioningRunner provisioning;
    @Autowired Agents agents;
    @Autowired QueueStatistics statistics;
    @Autowired SubscriberDirectory subscribers;
    @Autowired DialPlan dialPlan;
    @Autowired ApplicationEventPublisher events;
    @Autowired Reservations reservations;
    @Autowired AgentStore agentStore;
    @Autowired AgentRanker ranker;
    @Autowired Clock clock;

    @BeforeEach
    void demoProvisioningAndNoCalls() {
        jdbc.update("delete from queue_entry");
        jdbc.update("delete from queue_log");
        jdbc.update("delete from agent_state_log");
        jdbc.update("update agent set state = 'OFFLINE', registered = false, current_call = null, missed_offers = 0,"
                + " calls_today = 0, talk_seconds_today = 0, last_call_end = null");
        assertThat(provisioning.load().problems()).isEmpty(); // the packaged demo file
        reservations.reserved.clear();
        reservations.left.clear();
    }

    @Test
    void theDemoProvisioningLoadsWithCredentialsAsHa1AndNumbers() {
        assertThat(jdbc.queryForObject("select count(*) from agent", Integer.class)).isGreaterThanOrEqualTo(4);
        var alice = subscribers.credential("1001").orElseThrow();
        assertThat(alice.ha1Md5()).isEqualTo(md5("1001:callflow.local:alice-1001"));
        assertThat(alice.ha1Sha256()).hasSize(64);
        assertThat(jdbc.queryForList("select ha1_md5 from agent", String.class)).doesNotContain("alice-1001");
        assertThat(subscribers.credential("9999")).isEmpty();
        assertThat(dialPlan.flowFor("100")).contains("inbound-call");
        assertThat(dialPlan.flowFor("200")).contains("after-hours");
        assertThat(dialPlan.flowFor("555")).isEmpty();
        assertThat(jdbc.queryForObject("select calendar from did_route where did = '100'", String.class))
                .isEqualTo("main");
        assertThat(jdbc.queryForList("select holiday_date from calendar_holiday where calendar = 'main'"
                + " order by holiday_date", String.class)).containsExactly("01-01", "12-24", "12-25", "12-26", "12-31");
    }

    @Test
    void aMalformedProvisioningFileReportsEachBadEntryWithItsLineAndLoadsTheRest() throws IOException {
        Path file = CONTENT.root().resolve("bad.yml");
        Files.writeString(file, """
                agents:
                  - id: erin
                    sipUser: "1005"
                    password: erin-1005
                    skills: { english: 4 }
                  - id: frank
                    sipUser: "1006"
                  - id: gina
                    sipUser: "1007"
                    password: x
                    skills: { english: 11 }
                queues:
                  - name: typo-queue
                    strategie: longest-idle
                  - name: good-queue
                    strategy: nonsense
                  - name: ok-queue
                    members: [ erin, nobody ]
                dids:
                  - did: "300"
                    flow: inbound-call
                calendars:
                  - name: bad-cal
                    zone: Mars/Olympus
                  - name: good-cal
                    holidays: [ 2026-12-24, "12-25" ]
                """);
        var loader = new Provisioning(jdbc, tx, new AcdProperties(file, Duration.ofSeconds(30), true, ZoneId.of("UTC"),
                Duration.ofSeconds(120)), clock, "callflow.local", new AgentDialPlans(jdbc, clock, List.of()),
                new BusinessCalendars(jdbc));

        ProvisioningReport report = loader.load();

        // In the order sections are applied: agents, calendars (which queues and numbers name), queues.
        assertThat(report.problems()).extracting(ProvisioningProblem::line).containsExactly(6, 8, 23, 13, 15, 17);
        assertThat(report.problems().get(0).message()).contains("frank").contains("password");
        assertThat(report.problems().get(1).message()).contains("from 1 to 10");
        assertThat(report.problems().get(2).message()).contains("'Mars/Olympus'");
        assertThat(report.problems().get(3).message()).contains("strategie");
        assertThat(report.problems().get(4).message()).contains("nonsense");
        assertThat(report.problems().get(5).message()).contains("nobody");
        assertThat(jdbc.queryForList("select holiday_date from calendar_holiday where calendar = 'good-cal'"
                + " order by holiday_date", String.class)).containsExactly("12-25", "2026-12-24");
        assertThat(report.problems()).allSatisfy(p -> assertThat(p.file()).endsWith("bad.yml"));
        assertThat(subscribers.credential("1005")).isPresent();
        assertThat(subscribers.credential("1006")).isEmpty();
        assertThat(dialPlan.flowFor("300")).contains("inbound-call");
        assertThat(report.applied()).isEqualTo(3);
    }

    @Test
    void invalidTransitionsAreRefused() {
        assertThat(AgentState.OFFLINE.canBecome(AgentState.ON_CALL)).isFalse();
        assertThat(AgentState.ON_CALL.canBecome(AgentState.AVAILABLE)).isFalse();
        assertThat(AgentState.WRAP_UP.canBecome(AgentState.AVAILABLE)).isTrue();
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> agentStore.change("alice",
                java.util.EnumSet.of(AgentState.OFFLINE), null, AgentStore.Change.to(AgentState.ON_CALL, null))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("OFFLINE to ON_CALL");
    }

    @Test
    void registeringMakesAnAgentAvailableAndAQueuedCallReservesThem() throws InterruptedException {
        assertThat(distributor.enqueue(request("c1", "billing", 0))).isInstanceOf(EnqueueResult.Rejected.class)
                .extracting(r -> ((EnqueueResult.Rejected) r).reason()).isEqualTo("no agent logged in");

        register("1004"); // dave, billing
        assertThat(agents.find("dave").orElseThrow().state()).isEqualTo(AgentState.AVAILABLE);
        jdbc.update("update call_queue set wrap_up_seconds = 1 where name = 'billing'");

        var queued = distributor.enqueue(request("c1", "billing", 0));
        assertThat(queued).isInstanceOf(EnqueueResult.Queued.class);
        AgentReserved reserved = reservations.reserved.poll(10, TimeUnit.SECONDS);
        assertThat(reserved).isNotNull();
        assertThat(reserved.agentId()).isEqualTo("dave");
        assertThat(reserved.sipUser()).isEqualTo("1004");
        assertThat(agents.find("dave").orElseThrow().state()).isEqualTo(AgentState.RESERVED);

        distributor.offerRinging(new CallId("c1"), "dave");
        distributor.offerAnswered(new CallId("c1"), "dave");
        assertThat(agents.find("dave").orElseThrow().state()).isEqualTo(AgentState.ON_CALL);
        distributor.completed(new CallId("c1"), "dave");
        assertThat(agents.find("dave").orElseThrow().state()).isEqualTo(AgentState.WRAP_UP);
        assertThat(agents.find("dave").orElseThrow().callsToday()).isEqualTo(1);
        // The wrap-up timer (1 s here) ends it by itself.
        await().atMost(Duration.ofSeconds(10)).until(() ->
                agents.find("dave").orElseThrow().state() == AgentState.AVAILABLE);
        assertThat(jdbc.queryForList("select to_state from agent_state_log where agent_id = 'dave' order by id",
                String.class)).containsExactly("AVAILABLE", "RESERVED", "RINGING", "ON_CALL", "WRAP_UP", "AVAILABLE");
        assertThat(jdbc.queryForList("select event from queue_log where call_id = 'c1' order by id", String.class))
                .containsExactly("ENTERQUEUE", "CONNECT", "COMPLETE");
        // Why dave: billing's strategy and the ranking rule that fired are kept with the connect.
        assertThat(jdbc.queryForObject("select data2 from queue_log where call_id = 'c1' and event = 'CONNECT'",
                String.class)).isEqualTo("fewest-calls: only qualified agent");

        unregister("1004");
        assertThat(agents.find("dave").orElseThrow().state()).isEqualTo(AgentState.OFFLINE);
    }

    @Test
    void anAgentInSeveralQueuesGetsTheLongestWaitingCallOfTheHighestPriorityAcrossThem() throws Exception {
        // alice is in sales, support and billing (penalty 1); nobody else is registered.
        waiting("old-support", "support", 0, 120);
        waiting("newer-sales", "sales", 0, 60);
        waiting("newest-vip", "billing", 50, 5);
        register("1001");
        dispatcher.dispatch();
        assertThat(reservations.reserved.poll(10, TimeUnit.SECONDS).callId().value()).isEqualTo("newest-vip");

        release("newest-vip", "alice");
        dispatcher.dispatch();
        assertThat(reservations.reserved.poll(10, TimeUnit.SECONDS).callId().value()).isEqualTo("old-support");
    }

    @Test
    void priorityAgesWithWaitingTime() throws Exception {
        // aging is +1 per 10 s here: 100 s of waiting is worth 10 priority points.
        waiting("patient", "support", 0, 100);
        waiting("pushy", "support", 5, 1);
        register("1001");
        dispatcher.dispatch();
        assertThat(reservations.reserved.poll(10, TimeUnit.SECONDS).callId().value()).isEqualTo("patient");
        assertThat(distributor.position(new CallId("pushy")).orElseThrow().position()).isEqualTo(1);
    }

    @Test
    void requiredSkillsAreHonoured() throws Exception {
        register("1001"); // alice: no german
        register("1002"); // bob: german 8
        var enqueued = distributor.enqueue(new EnqueueRequest(new CallId("de-1"), "support", 0,
                Map.of("german", 5), "+49301"));
        assertThat(enqueued).isInstanceOf(EnqueueResult.Queued.class);
        assertThat(reservations.reserved.poll(10, TimeUnit.SECONDS).agentId()).isEqualTo("bob");
    }

    @Test
    void theQueueStrategyRanksSeveralQualifiedAgentsAndTheReasonIsKept() throws Exception {
        register("1001");
        register("1002");
        // support is skills-weighted: alice has english 9, bob english 7.
        distributor.enqueue(new EnqueueRequest(new CallId("sw-1"), "support", 0, Map.of("english", 5), "+49302"));
        assertThat(reservations.reserved.poll(10, TimeUnit.SECONDS).agentId()).isEqualTo("alice");
        distributor.offerAnswered(new CallId("sw-1"), "alice");
        assertThat(jdbc.queryForObject("select data2 from queue_log where call_id = 'sw-1' and event = 'CONNECT'",
                String.class)).isEqualTo("skills-weighted: Skills weighted");
    }

    @Test
    void missedOffersAutoPauseTheAgentAndTheCallWaitsForTheFlowToRequeue() throws Exception {
        register("1004");
        for (int miss = 1; miss <= 3; miss++) {
            distributor.enqueue(request("c-miss", "billing", 0));
            assertThat(reservations.reserved.poll(10, TimeUnit.SECONDS).agentId()).isEqualTo("dave");
            distributor.offerFailed(new CallId("c-miss"), "dave", AgentLegOutcome.RING_TIMEOUT);
            assertThat(jdbc.queryForObject("select state from queue_entry where call_id = 'c-miss'", String.class))
                    .as("miss %d, log %s, states %s", miss, jdbc.queryForList("select event, data1 from queue_log"),
                            jdbc.queryForList("select from_state, to_state, reason from agent_state_log"))
                    .isEqualTo("HELD");
        }
        var dave = agents.find("dave").orElseThrow();
        assertThat(dave.state()).isEqualTo(AgentState.PAUSED);
        assertThat(dave.stateReason()).isEqualTo("missed 3 offers");
        assertThat(jdbc.queryForObject("select count(*) from queue_log where event = 'RINGNOANSWER'", Integer.class))
                .isEqualTo(3);
        assertThat(agents.resume("dave")).isTrue();
    }

    @Test
    void leavingReleasesAReservedAgentAndIsIdempotent() throws Exception {
        register("1004");
        distributor.enqueue(request("c-gone", "billing", 0));
        assertThat(reservations.reserved.poll(10, TimeUnit.SECONDS)).isNotNull();
        distributor.leave(new CallId("c-gone"), QueueExit.ABANDON);
        distributor.leave(new CallId("c-gone"), QueueExit.ABANDON);
        assertThat(agents.find("dave").orElseThrow().state()).isEqualTo(AgentState.AVAILABLE);
        assertThat(agents.find("dave").orElseThrow().currentCall()).isNull();
        assertThat(jdbc.queryForList("select event from queue_log where call_id = 'c-gone'", String.class))
                .containsExactly("ENTERQUEUE", "ABANDON");
    }

    @Test
    void whenTheLastAgentLeavesALeaveWhenEmptyQueueItsWaitingCallsMoveOn() throws Exception {
        jdbc.update("update call_queue set leave_when_empty = true where name = 'billing'");
        try {
            register("1004"); // dave, the only billing member logged in
            waiting("c-stranded", "billing", 0, 30);
            assertThat(agents.pause("dave", "lunch")).isTrue();
            QueueLeft left = reservations.left.poll(10, TimeUnit.SECONDS);
            assertThat(left).isNotNull();
            assertThat(left.callId().value()).isEqualTo("c-stranded");
            assertThat(left.reason()).isEqualTo("EXITEMPTY");
            assertThat(jdbc.queryForObject("select count(*) from queue_entry where call_id = 'c-stranded'",
                    Integer.class)).isZero();
            assertThat(jdbc.queryForList("select event from queue_log where call_id = 'c-stranded'", String.class))
                    .containsExactly("EXITEMPTY");
        } finally {
            jdbc.update("update call_queue set leave_when_empty = false where name = 'billing'");
        }
    }

    @Test
    void anEntryTheFileNoLongerDeclaresStaysAndPassesToTheAdministrationApi() throws IOException {
        Path file = CONTENT.root().resolve("handover.yml");
        var loader = new Provisioning(jdbc, tx, new AcdProperties(file, Duration.ofSeconds(30), true, ZoneId.of("UTC"),
                Duration.ofSeconds(120)), clock, "callflow.local", new AgentDialPlans(jdbc, clock, List.of()),
                new BusinessCalendars(jdbc));
        String withHal = "agents:\n  - { id: hal, sipUser: \"9000\", password: hal-9000 }\n";
        Files.writeString(file, withHal);
        assertThat(loader.load().problems()).isEmpty();
        assertThat(owner("hal")).isEqualTo("file");

        Files.writeString(file, "agents: []\n");
        assertThat(loader.load().problems()).isEmpty();
        assertThat(owner("hal")).as("kept, now the API's").isEqualTo("api");
        assertThat(subscribers.credential("9000")).isPresent();

        Files.writeString(file, withHal);
        loader.load();
        Files.writeString(file, "agents:\n  - { id: hal, sipUser: [ not, closed \n");
        assertThat(loader.load().problems()).isNotEmpty();
        assertThat(owner("hal")).as("a file that cannot be read whole hands nothing over").isEqualTo("file");
        jdbc.update("delete from agent where id = 'hal'");
        provisioning.load();
    }

    private String owner(String agentId) {
        return jdbc.queryForObject("select managed_by from agent where id = ?", String.class, agentId);
    }

    @Test
    void loadingTheSameProvisioningTwiceChangesNothing() {
        int agentsBefore = jdbc.queryForObject("select count(*) from agent", Integer.class);
        int membersBefore = jdbc.queryForObject("select count(*) from queue_member", Integer.class);
        String ha1Before = subscribers.credential("1002").orElseThrow().ha1Md5();
        assertThat(provisioning.load().problems()).isEmpty();
        assertThat(jdbc.queryForObject("select count(*) from agent", Integer.class)).isEqualTo(agentsBefore);
        assertThat(jdbc.queryForObject("select count(*) from queue_member", Integer.class)).isEqualTo(membersBefore);
        assertThat(subscribers.credential("1002").orElseThrow().ha1Md5()).isEqualTo(ha1Before);
    }

    @Test
    void closedQueuesRejectCalls() {
        jdbc.update("update call_queue set business_hours = 'MON-SUN 00:00-00:01' where name = 'support'");
        register("1001");
        assertThat(distributor.enqueue(request("c-late", "support", 0))).isEqualTo(
                new EnqueueResult.Rejected("support", "closed"));
        assertThat(distributor.enqueue(request("c-x", "nowhere", 0))).isEqualTo(
                new EnqueueResult.Rejected("nowhere", "unknown queue"));
    }

    @Test
    void statisticsMatchHandComputedFigures() {
        Instant t0 = Instant.parse("2026-11-24T09:00:00Z");
        // 5 offered: 3 answered after 10, 15 and 40 s (threshold 20 s), 1 abandoned after 5 s, 1 after 30 s.
        logEvent(t0, "s1", "ENTERQUEUE", null, null);
        logEvent(t0.plusSeconds(10), "s1", "CONNECT", "10", null);
        logEvent(t0.plusSeconds(130), "s1", "COMPLETE", "10", "120");
        logEvent(t0, "s2", "ENTERQUEUE", null, null);
        logEvent(t0.plusSeconds(15), "s2", "CONNECT", "15", null);
        logEvent(t0.plusSeconds(255), "s2", "COMPLETE", "15", "240");
        logEvent(t0, "s3", "ENTERQUEUE", null, null);
        logEvent(t0.plusSeconds(40), "s3", "CONNECT", "40", null);
        logEvent(t0.plusSeconds(220), "s3", "COMPLETE", "40", "180");
        logEvent(t0, "s4", "ENTERQUEUE", null, null);
        logEvent(t0.plusSeconds(5), "s4", "ABANDON", "5", null);
        logEvent(t0, "s5", "ENTERQUEUE", null, null);
        logEvent(t0.plusSeconds(30), "s5", "ABANDON", "30", null);

        QueueStats stats = statistics.queue("support", t0, t0.plusSeconds(3600));

        assertThat(stats.offered()).isEqualTo(5);
        assertThat(stats.answered()).isEqualTo(3);
        assertThat(stats.abandoned()).isEqualTo(2);
        // within 20 s: 2 of (3 answered + 1 abandoned after 20 s) = 50 %; the 5-second abandon does not count.
        assertThat(stats.serviceLevelPercent()).isEqualTo(50.0);
        assertThat(stats.averageSpeedOfAnswer()).isEqualTo(Duration.ofSeconds(21)); // (10+15+40)/3 = 21.67
        assertThat(stats.averageHandleTime()).isEqualTo(Duration.ofSeconds(180)); // (120+240+180)/3
        assertThat(stats.longestWait()).isEqualTo(Duration.ofSeconds(40));
        // 5 calls/h x 180 s = 0.25 Erlang; 80 % in 20 s needs 2 agents (1 agent reaches only ~64 %).
        assertThat(stats.agentsNeeded()).isEqualTo(2);
    }

    @Test
    void agentOccupancyComesFromTheStateLog() {
        Instant t0 = Instant.parse("2026-11-24T09:00:00Z");
        stateLog("carol", t0, "OFFLINE", "AVAILABLE");
        stateLog("carol", t0.plusSeconds(600), "AVAILABLE", "RESERVED");
        stateLog("carol", t0.plusSeconds(610), "RESERVED", "ON_CALL");
        stateLog("carol", t0.plusSeconds(1510), "ON_CALL", "WRAP_UP");
        stateLog("carol", t0.plusSeconds(1810), "WRAP_UP", "PAUSED");
        AgentStats stats = statistics.agent("carol", t0, t0.plusSeconds(3600));
        // logged in (not offline, not paused) for 1810 s, busy 1210 s of them.
        assertThat(stats.loggedIn()).isEqualTo(Duration.ofSeconds(1810));
        assertThat(stats.occupancy()).isCloseTo(1210.0 / 1810.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void erlangCMatchesTheTextbook() {
        // 100 calls per half hour, 3 minutes each = 10 Erlangs.
        assertThat(ErlangC.probabilityOfWaiting(11, 10)).isCloseTo(0.6821, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(ErlangC.serviceLevel(13, 10, 180, 20)).isCloseTo(0.796, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(ErlangC.agentsNeeded(200, 180, 0.8, 20)).isEqualTo(14);
    }

    @Test
    void concurrentDispatchersOnTwoNodesNeverDoubleBook() throws Exception {
        // 40 agents in one queue, 200 waiting calls, 4 threads per "node", 2 nodes sharing the database.
        freeAgentsInQueue("load", 40);
        tx.executeWithoutResult(s -> {
            for (int i = 0; i < 200; i++) {
                jdbc.update("insert into queue_entry (call_id, queue_name, priority, entered_at, state) values"
                        + " (?, 'load', 0, ?, 'WAITING')", "load-call-" + i, Timestamp.from(clock.instant()));
            }
        });
        Dispatcher otherNode = new Dispatcher(jdbc, tx, ranker, agentStore, events, clock,
                new AcdProperties(Path.of("x"), Duration.ofSeconds(30), true, ZoneId.of("UTC"), Duration.ZERO));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> passes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Dispatcher node = i % 2 == 0 ? dispatcher : otherNode;
                passes.add(node::dispatch);
            }
            int made = 0;
            for (var result : pool.invokeAll(passes, 60, TimeUnit.SECONDS)) {
                made += result.get();
            }
            assertThat(made).isEqualTo(40);
        } finally {
            pool.shutdownNow();
            otherNode.close();
        }
        assertThat(jdbc.queryForObject("select count(*) from agent where id like 'load-%' and state = 'RESERVED'",
                Integer.class)).isEqualTo(40);
        assertThat(jdbc.queryForObject("select count(distinct current_call) from agent where id like 'load-%'",
                Integer.class)).isEqualTo(40);
        assertThat(jdbc.queryForObject("select count(*) from queue_entry where state = 'OFFERED'", Integer.class))
                .isEqualTo(40);
        assertThat(jdbc.queryForObject("select count(distinct agent_id) from queue_entry where state = 'OFFERED'",
                Integer.class)).isEqualTo(40);
        // Every offered entry's agent is reserved for exactly that call.
        assertThat(jdbc.queryForObject("select count(*) from queue_entry e join agent a on a.id = e.agent_id"
                + " where e.state = 'OFFERED' and a.current_call = e.call_id", Integer.class)).isEqualTo(40);
        jdbc.update("delete from queue_member where queue_name = 'load'");
        jdbc.update("update agent set enabled = false where id like 'load-%'");
    }

    @Test
    void aCallWithNobodyAheadGetsAFreeAgentWithinTheEnqueueAndACallBehindOthersWaitsItsTurn() throws Exception {
        register("1001"); // alice: sales, support, billing
        var first = distributor.enqueue(new EnqueueRequest(new CallId("fast-1"), "support", 0, Map.of(), "+4931",
                true));
        assertThat(first).isEqualTo(new EnqueueResult.Reserved("support", "alice", "1001"));
        assertThat(agents.find("alice").orElseThrow().state()).isEqualTo(AgentState.RESERVED);
        assertThat(agents.find("alice").orElseThrow().currentCall()).isEqualTo("fast-1");
        assertThat(jdbc.queryForObject("select agent_id from queue_entry where call_id = 'fast-1' and state ="
                + " 'OFFERED'", String.class)).isEqualTo("alice");
        // The flow offers the call itself: no AgentReserved message follows.
        assertThat(reservations.reserved.poll(300, TimeUnit.MILLISECONDS)).isNull();

        // Nobody free: the call waits like any other.
        assertThat(distributor.enqueue(new EnqueueRequest(new CallId("fast-2"), "support", 0, Map.of(), "+4932",
                true))).isInstanceOf(EnqueueResult.Queued.class);

        // bob is free, but a call (needing French, which bob lacks) waits ahead in sales: the newcomer does not jump
        // it at the door; the dispatcher decides, and gives bob to the newcomer because the other does not qualify.
        distributor.leave(new CallId("fast-2"), QueueExit.ABANDON);
        waiting("french-caller", "sales", 0, 30);
        jdbc.update("update queue_entry set required_skills = 'french:5' where call_id = 'french-caller'");
        register("1002");
        dispatcher.dispatch();
        assertThat(agents.find("bob").orElseThrow().state()).isEqualTo(AgentState.AVAILABLE);
        var behind = distributor.enqueue(new EnqueueRequest(new CallId("fast-3"), "sales", 0, Map.of(), "+4933",
                true));
        assertThat(behind).isInstanceOf(EnqueueResult.Queued.class);
        AgentReserved byDispatcher = reservations.reserved.poll(10, TimeUnit.SECONDS);
        assertThat(byDispatcher).isNotNull();
        assertThat(byDispatcher.callId().value()).isEqualTo("fast-3");
        assertThat(byDispatcher.agentId()).isEqualTo("bob");
    }

    @Test
    void concurrentImmediateReservationsAndDispatchPassesNeverDoubleBook() throws Exception {
        // 30 agents free in one queue; 120 calls join it at once from 8 threads, each asking to be served at once,
        // while dispatcher passes run on two "nodes".
        freeAgentsInQueue("fast", 30);
        Dispatcher otherNode = new Dispatcher(jdbc, tx, ranker, agentStore, events, clock,
                new AcdProperties(Path.of("x"), Duration.ofSeconds(30), true, ZoneId.of("UTC"), Duration.ZERO));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> work = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                String callId = "fast-call-" + i;
                work.add(() -> distributor.enqueue(new EnqueueRequest(new CallId(callId), "fast", 0, Map.of(),
                        "+49" + callId, true)) instanceof EnqueueResult.Reserved ? 1 : 0);
                if (i % 20 == 0) {
                    work.add(i % 40 == 0 ? dispatcher::dispatch : otherNode::dispatch);
                }
            }
            for (var result : pool.invokeAll(work, 60, TimeUnit.SECONDS)) {
                result.get();
            }
            dispatcher.dispatch();
        } finally {
            pool.shutdownNow();
            otherNode.close();
        }
        assertThat(jdbc.queryForObject("select count(*) from agent where id like 'fast-%' and state = 'RESERVED'",
                Integer.class)).isEqualTo(30);
        assertThat(jdbc.queryForObject("select count(distinct current_call) from agent where id like 'fast-%'",
                Integer.class)).isEqualTo(30);
        assertThat(jdbc.queryForObject("select count(*) from queue_entry where queue_name = 'fast' and state ="
                + " 'OFFERED'", Integer.class)).isEqualTo(30);
        assertThat(jdbc.queryForObject("select count(*) from queue_entry e join agent a on a.id = e.agent_id"
                + " where e.queue_name = 'fast' and e.state = 'OFFERED' and a.current_call = e.call_id",
                Integer.class)).isEqualTo(30);
        assertThat(jdbc.queryForObject("select count(*) from queue_entry where queue_name = 'fast'", Integer.class))
                .isEqualTo(120);
        jdbc.update("delete from queue_member where queue_name = 'fast'");
        jdbc.update("update agent set enabled = false where id like 'fast-%'");
    }

    @Test
    void theRoundRobinTurnIsWrittenOnlyForRoundRobinQueues() {
        freeAgentsInQueue("rr", 2);
        jdbc.update("update call_queue set strategy = 'round-robin' where name = 'rr'");
        var reserved = (EnqueueResult.Reserved) distributor.enqueue(new EnqueueRequest(new CallId("rr-1"), "rr", 0,
                Map.of(), "+4941", true));
        assertThat(jdbc.queryForObject("select last_agent_id from call_queue where name = 'rr'", String.class))
                .isEqualTo(reserved.agentId());

        freeAgentsInQueue("rnd", 2);
        assertThat(distributor.enqueue(new EnqueueRequest(new CallId("rnd-1"), "rnd", 0, Map.of(), "+4942", true)))
                .isInstanceOf(EnqueueResult.Reserved.class);
        assertThat(jdbc.queryForObject("select last_agent_id from call_queue where name = 'rnd'", String.class))
                .isNull();
        jdbc.update("delete from queue_member where queue_name in ('rr', 'rnd')");
        jdbc.update("update agent set enabled = false where id like 'rr-%' or id like 'rnd-%'");
    }

    /** Agents {prefix}-0..n-1, all AVAILABLE and the only members of queue {prefix} (strategy random). */
    private void freeAgentsInQueue(String prefix, int count) {
        tx.executeWithoutResult(s -> {
            for (int i = 0; i < count; i++) {
                String id = prefix + "-" + i;
                if (jdbc.update("update agent set state = 'AVAILABLE', registered = true, current_call = null,"
                        + " enabled = true where id = ?", id) == 0) {
                    jdbc.update("insert into agent (id, name, sip_user, state, registered, state_since) values"
                            + " (?,?,?, 'AVAILABLE', true, ?)", id, id, prefix + i, Timestamp.from(clock.instant()));
                }
            }
            if (jdbc.update("update call_queue set strategy = 'random' where name = ?", prefix) == 0) {
                jdbc.update("insert into call_queue (name, strategy, join_when_empty) values (?, 'random', true)",
                        prefix);
            }
            jdbc.update("delete from queue_member where queue_name = ?", prefix);
            for (int i = 0; i < count; i++) {
                jdbc.update("insert into queue_member (queue_name, agent_id) values (?, ?)", prefix, prefix + "-" + i);
            }
        });
    }

    private EnqueueRequest request(String callId, String queue, int priority) {
        return new EnqueueRequest(new CallId(callId), queue, priority, Map.of(), "+4930" + callId.hashCode());
    }

    private void waiting(String callId, String queue, int priority, int waitedSeconds) {
        jdbc.update("insert into queue_entry (call_id, queue_name, caller, priority, entered_at, state) values"
                + " (?,?,?,?,?, 'WAITING')", callId, queue, "+49" + callId, priority,
                Timestamp.from(clock.instant().minusSeconds(waitedSeconds)));
    }

    private void release(String callId, String agentId) {
        // Cleared first: leaving frees the agent, and the dispatcher may reserve the next call at once.
        reservations.reserved.clear();
        distributor.leave(new CallId(callId), QueueExit.ABANDON);
    }

    private void register(String user) {
        events.publishEvent(new RegistrationChanged(user, 1, clock.instant()));
    }

    private void unregister(String user) {
        events.publishEvent(new RegistrationChanged(user, 0, clock.instant()));
    }

    private void logEvent(Instant at, String callId, String event, String data1, String data2) {
        jdbc.update("insert into queue_log (event_time, call_id, queue_name, event, data1, data2) values"
                + " (?,?, 'support', ?,?,?)", Timestamp.from(at), callId, event, data1, data2);
    }

    private void stateLog(String agentId, Instant at, String from, String to) {
        jdbc.update("insert into agent_state_log (agent_id, event_time, from_state, to_state) values (?,?,?,?)",
                agentId, Timestamp.from(at), from, to);
    }

    private static String md5(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
