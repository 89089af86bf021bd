package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.callflow.routing.RuleBase;
import io.callflow.support.TestContent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Callflow on a real PostgreSQL, switched on by the documented profile, started by the test itself. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles({"test", "postgres"})
@DirtiesContext
class PostgresApplicationTest {

    static final EmbeddedPostgres POSTGRES = start();
    static final TestContent CONTENT = TestContent.create().with("rules/test.drl", TestContent.RULE);

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("spring.datasource.url", () -> POSTGRES.getJdbcUrl("postgres", "postgres"));
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
    }

    @AfterAll
    static void stop() throws IOException {
        POSTGRES.close();
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired Flyway flyway;
    @Autowired ProcessEngine processEngine;
    @Autowired RepositoryService repositoryService;
    @Autowired RuntimeService runtimeService;
    @Autowired HistoryService historyService;
    @Autowired RuleBase ruleBase;

    @BeforeEach
    void bindAssertions() {
        AbstractAssertions.init(processEngine);
    }

    @Test
    void camundaAndCallflowTablesAreCreatedInPostgres() {
        assertThat(jdbc.queryForObject("select version()", String.class)).startsWith("PostgreSQL");
        assertThat(flyway.info().applied()).anySatisfy(migration ->
                assertThat(migration.getVersion().getVersion()).isEqualTo("1"));
        assertThat(jdbc.queryForList("select table_name from information_schema.tables where table_schema = 'public'",
                String.class)).contains("call_record", "act_re_procdef", "act_ru_execution", "flyway_schema_history");
    }

    @Test
    void theInboundCallFlowRunsAndLeavesHistory() {
        assertThat(repositoryService.createProcessDefinitionQuery().processDefinitionKey("inbound-call").count())
                .isEqualTo(1);
        ProcessInstance call = runtimeService.startProcessInstanceByKey("inbound-call", "call-pg-1",
                java.util.Map.of("caller", "+4930123456", "did", "100"));
        assertThat(call).isWaitingAt("MainMenu");
        // History as configured: the path is kept, its removal time fixed when written (strategy "start", so the
        // call's end stamps nothing again), and variable values are not kept (level "activity").
        assertThat(historyService.createHistoricProcessInstanceQuery().processInstanceId(call.getId()).singleResult()
                .getRemovalTime()).isNotNull();
        assertThat(historyService.createHistoricActivityInstanceQuery().processInstanceId(call.getId()).count())
                .isPositive();
        assertThat(historyService.createHistoricVariableInstanceQuery().processInstanceId(call.getId()).count())
                .isZero();

        runtimeService.createMessageCorrelation("CallerHungUp").processInstanceBusinessKey("call-pg-1").correlate();

        assertThat(call).isEnded();
        assertThat(jdbc.queryForObject("select outcome from call_record where call_id = 'call-pg-1'", String.class))
                .isEqualTo("CallAbandoned");
        assertThat(historyService.createHistoricProcessInstanceQuery().processInstanceBusinessKey("call-pg-1")
                .finished().count()).isEqualTo(1);
    }

    @Test
    void churningTablesAreRevisitedByAutovacuumAndProvisionedTablesAnalyzed() {
        // Without statistics the planner takes each table for one row (docs/configuration.md, "PostgreSQL").
        assertThat(jdbc.queryForList("select relname from pg_class where reloptions @> array["
                + "'autovacuum_analyze_threshold=1000', 'autovacuum_vacuum_threshold=1000']", String.class))
                .contains("act_ru_variable", "act_ru_execution", "act_ru_event_subscr", "agent", "queue_entry");
        // reltuples is -1 until a table is first analyzed (PostgreSQL 14+), and ANALYZE sets it before it returns;
        // pg_stat_user_tables.last_analyze would arrive through the statistics collector, some time later.
        assertThat(jdbc.queryForList("select relname from pg_class where reltuples >= 0 and relkind = 'r'",
                String.class)).contains("agent", "queue_member", "agent_skill");
    }

    @Test
    void rulesLoad() {
        assertThat(ruleBase.ruleNames()).contains("Test rule from disk");
    }

    private static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL for the test", e);
        }
    }
}
