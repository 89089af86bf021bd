package io.callflow.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.callflow.support.TestContent;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The running sweep: a flow waiting for a caller this node carries no signalling for, and an agent reserved and a
 * queue place held for a call that does not exist, are ended as CALL_LOST, and only once seen so twice.
 */
@SpringBootTest
@ActiveProfiles("test")
@DirtiesContext
class CallReconcilerSweepTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.calls.sweep-interval", () -> "1s");
    }

    @Autowired RuntimeService runtimeService;
    @Autowired JdbcTemplate jdbc;

    @Test
    void callsWithoutSignallingAreEndedAndWhatTheyHeldIsReleased() {
        // A flow whose caller no SIP dialog carries: it plays its welcome and waits for it forever.
        runtimeService.startProcessInstanceByKey("inbound-call", "ghost-flow", Map.of("caller", "+4930111",
                "did", "100", "callerLeg", "leg-1", "language", "en"));
        // An agent reserved, and a queue place held, for a call that exists nowhere.
        jdbc.update("update agent set state = 'RESERVED', current_call = 'ghost-call', state_since = ?"
                + " where id = 'alice'", Timestamp.from(Instant.now()));
        jdbc.update("insert into queue_entry (call_id, queue_name, caller, priority, entered_at, state, agent_id)"
                + " values ('ghost-call', 'sales', '+4930222', 0, ?, 'OFFERED', 'alice')",
                Timestamp.from(Instant.now()));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(runtimeService.createProcessInstanceQuery().processInstanceBusinessKey("ghost-flow").count())
                    .as("the ghost flow").isZero();
            assertThat(jdbc.queryForObject("select state from agent where id = 'alice'", String.class))
                    .isEqualTo("AVAILABLE");
            assertThat(jdbc.queryForObject("select count(*) from queue_entry", Integer.class)).isZero();
        });
        assertThat(jdbc.queryForMap("select outcome, hangup_cause from call_record where call_id = 'ghost-flow'"))
                .containsEntry("OUTCOME", "CALL_LOST").containsEntry("HANGUP_CAUSE", "CALL_LOST");
        assertThat(jdbc.queryForList("select event from queue_log where call_id = 'ghost-call'", String.class))
                .containsExactly("CALL_LOST");
        assertThat(jdbc.queryForObject("select current_call from agent where id = 'alice'", String.class)).isNull();
    }

    /**
     * Agents held under a call's side key (a consultation's target, an internal call's called agent) live and die with
     * that call: kept while the call lives (here on another node), released once it exists nowhere.
     */
    @Test
    void agentsHeldUnderACallsSideKeyFollowTheirCall() {
        Instant now = Instant.now();
        jdbc.update("insert into call_record (call_id, caller, did, started_at, owner_node) values (?,?,?,?,?)",
                "elsewhere", "+4930333", "100", Timestamp.from(now), "another-node");
        jdbc.update("update agent set state = 'ON_CALL', current_call = 'elsewhere/consult', state_since = ?"
                + " where id = 'bob'", Timestamp.from(now));
        jdbc.update("update agent set state = 'RESERVED', current_call = 'gone/party', state_since = ?"
                + " where id = 'carol'", Timestamp.from(now));
        jdbc.update("update agent set state = 'ON_CALL', current_call = 'gone-too/consult', state_since = ?"
                + " where id = 'dave'", Timestamp.from(now));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(jdbc.queryForMap("select state, current_call from agent where id = 'carol'"))
                    .containsEntry("CURRENT_CALL", null).doesNotContainEntry("STATE", "RESERVED");
            assertThat(jdbc.queryForObject("select state from agent where id = 'dave'", String.class))
                    .as("dave (not registered, so he ends offline)").isNotIn("RESERVED", "RINGING", "ON_CALL");
            assertThat(jdbc.queryForObject("select current_call from agent where id = 'dave'", String.class)).isNull();
        });
        // Carol and dave were released by sweeps that also saw bob: his call lives on its node, so he keeps it.
        assertThat(jdbc.queryForMap("select state, current_call from agent where id = 'bob'"))
                .containsEntry("STATE", "ON_CALL").containsEntry("CURRENT_CALL", "elsewhere/consult");
        jdbc.update("update call_record set ended_at = ?, outcome = 'COMPLETED' where call_id = 'elsewhere'",
                Timestamp.from(Instant.now()));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
                jdbc.queryForObject("select current_call from agent where id = 'bob'", String.class)).isNull());
    }
}
