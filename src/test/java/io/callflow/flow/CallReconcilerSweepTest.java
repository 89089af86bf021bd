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
}
