package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.List;

import io.callflow.flow.ProcessFolderDeployer;
import io.callflow.platform.ContentProperties;
import io.callflow.routing.RuleBase;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Callflow on its embedded default database, with content folders on disk overlaying the packaged ones. */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class H2ApplicationTest {

    static final TestContent CONTENT = TestContent.create()
            .with("processes/after-hours.bpmn", TestContent.EXTRA_FLOW)
            .with("processes/broken.bpmn", TestContent.BROKEN_FLOW)
            .with("rules/test.drl", TestContent.RULE)
            .with("prompts/en/hello.wav", "RIFF-not-really")
            .with("ui/custom.html", "<p>from disk</p>");

    @DynamicPropertySource
    static void content(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
    }

    @Autowired TestRestTemplate http;
    @Autowired Flyway flyway;
    @Autowired JdbcTemplate jdbc;
    @Autowired ProcessEngine processEngine;
    @Autowired RepositoryService repositoryService;
    @Autowired RuntimeService runtimeService;
    @Autowired ProcessFolderDeployer deployer;
    @Autowired RuleBase ruleBase;
    @Autowired ContentProperties content;

    @BeforeEach
    void bindAssertions() {
        AbstractAssertions.init(processEngine);
    }

    @Test
    void aProcessWithoutABusinessKeyIsNotACallAndRunsWithoutARecord() {
        repositoryService.createDeployment().name("housekeeping").addModelInstance("housekeeping.bpmn",
                Bpmn.createExecutableProcess("housekeeping").camundaHistoryTimeToLive(1).startEvent().endEvent()
                        .done()).deploy();
        ProcessInstance run = runtimeService.startProcessInstanceByKey("housekeeping");
        assertThat(run.isEnded()).isTrue();
        assertThat(jdbc.queryForObject("select count(*) from call_record where flow_key = 'housekeeping'",
                Integer.class)).isZero();
    }

    @Test
    void theDatabaseIsAnH2FileUnderTheDataDirectoryWithOurMigrationsApplied() {
        assertThat(CONTENT.root().resolve("data/callflow.mv.db")).isRegularFile();
        assertThat(flyway.info().applied()).anySatisfy(migration ->
                assertThat(migration.getVersion().getVersion()).isEqualTo("1"));
        assertThat(jdbc.queryForObject("select count(*) from call_record", Integer.class)).isNotNegative();
    }

    @Test
    void packagedAndOnDiskProcessesAreDeployedAndABrokenOneIsRejectedWithItsLine() {
        assertThat(repositoryService.createProcessDefinitionQuery().processDefinitionKey("inbound-call").count())
                .isEqualTo(1);
        assertThat(repositoryService.createProcessDefinitionQuery().processDefinitionKey("after-hours").count())
                .isEqualTo(1);
        assertThat(repositoryService.createProcessDefinitionQuery().processDefinitionKey("broken-flow").count())
                .isZero();
        assertThat(deployer.lastReport().rejected())
                .allSatisfy(problem -> assertThat(problem.file()).endsWith("broken.bpmn"))
                .anySatisfy(problem -> {
                    assertThat(problem.line()).isEqualTo(6);
                    assertThat(problem.message()).contains("Invalid destination 'Nowhere'");
                });
    }

    @Test
    void redeployingUnchangedFilesCreatesNoNewVersion() {
        deployer.deployAll();

        assertThat(repositoryService.createProcessDefinitionQuery().processDefinitionKey("inbound-call")
                .latestVersion().singleResult().getVersion()).isEqualTo(1);
    }

    @Test
    void theInboundCallFlowAnswersWaitsInTheMenuAndEndsWhenTheCallerHangsUp() {
        ProcessInstance call = runtimeService.startProcessInstanceByKey("inbound-call", "call-h2-1",
                java.util.Map.of("caller", "+4930123456", "did", "100"));

        assertThat(call).isWaitingAt("MainMenu");
        runtimeService.createMessageCorrelation("CallerHungUp").processInstanceBusinessKey("call-h2-1").correlate();
        assertThat(call).hasPassed("CleanUpCall", "CallAbandoned").isEnded();
    }

    @Test
    void rulesFromDiskAreCompiledIntoTheRuleBase() {
        assertThat(ruleBase.ruleNames()).contains("Test rule from disk");
        var session = ruleBase.kieBase().newKieSession();
        try {
            session.insert("ping");
            assertThat(session.fireAllRules()).isEqualTo(1);
        } finally {
            session.dispose();
        }
    }

    @Test
    void promptsAreReadFromDisk() {
        assertThat(content.prompts().file("en/hello.wav")).hasValueSatisfying(file ->
                assertThat(new String(file.content())).isEqualTo("RIFF-not-really"));
    }

    @Test
    void theUiIsServedFromTheJarAndFromDisk() {
        assertThat(http.getForObject("/ui/", String.class)).contains("<title>Callflow</title>");
        assertThat(http.getForObject("/ui/custom.html", String.class)).contains("from disk");
        var module = http.getForEntity("/ui/js/app.js", String.class);
        assertThat(module.getHeaders().getContentType().toString()).contains("javascript");
        assertThat(module.getHeaders().getCacheControl()).as("an edit on disk shows at the next load")
                .isEqualTo("no-cache");
    }

    @Test
    void theRootLeadsToCallflowsStartPageNotToCamunda() throws Exception {
        var noRedirects = java.net.http.HttpClient.newHttpClient();
        var root = noRedirects.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.getRootUri() + "/"))
                .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValueSatisfying(location ->
                assertThat(location).endsWith("/ui/"));
        assertThat(http.getForObject("/ui/", String.class)).contains("href=\"/camunda/app/cockpit/\"")
                .contains("href=\"/engine-rest/\"").contains("href=\"/actuator/health\"");
    }

    @Test
    void camundaRestHasAnIndexWhoseLinksAnswer() throws Exception {
        var index = http.withBasicAuth("admin", "callflow").getForEntity("/engine-rest/", String.class);
        assertThat(index.getStatusCode()).isEqualTo(HttpStatus.OK);
        var links = new com.fasterxml.jackson.databind.ObjectMapper().readTree(index.getBody()).path("_links");
        assertThat(links.path("engine").path("href").asText()).isEqualTo("/engine-rest/engine");
        for (String name : List.of("self", "engine", "process-definition", "process-instance", "task", "incident",
                "job", "deployment", "history", "version")) {
            String href = links.path(name).path("href").asText();
            assertThat(http.withBasicAuth("admin", "callflow").getForEntity(href, String.class).getStatusCode())
                    .as(name + " " + href).isEqualTo(HttpStatus.OK);
        }
        assertThat(http.getForEntity("/engine-rest/", String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void camundaRestRequiresAuthentication() {
        assertThat(http.getForEntity("/engine-rest/engine", String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(http.withBasicAuth("admin", "callflow").getForEntity("/engine-rest/process-definition/key/"
                + "inbound-call", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
        // A different user, so Camunda's lock-out after a failed login does not lock the administrator.
        assertThat(http.withBasicAuth("intruder", "guess").getForEntity("/engine-rest/engine", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void healthIsPublicButMetricsNeedAuthentication() {
        var health = http.getForEntity("/actuator/health", String.class);
        assertThat(health.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(health.getBody()).contains("\"status\":\"UP\"");
        assertThat(http.getForEntity("/actuator/prometheus", String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(http.withBasicAuth("admin", "callflow").getForObject("/actuator/prometheus", String.class))
                .contains("jvm_memory_used_bytes");
        assertThat(http.withBasicAuth("admin", "callflow").getForObject("/actuator/health", String.class))
                .contains("broken.bpmn:6");
    }

    @Test
    void cockpitIsServed() {
        assertThat(http.getForEntity("/camunda/app/cockpit/default/", String.class).getStatusCode())
                .isEqualTo(HttpStatus.OK);
    }

}
