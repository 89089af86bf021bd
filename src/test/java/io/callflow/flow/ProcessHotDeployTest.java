package io.callflow.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;

import io.callflow.support.TestContent;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** An analyst's edit in processes/ goes live without a restart; a broken edit leaves the last good version live. */
@SpringBootTest
@ActiveProfiles("test")
@DirtiesContext
class ProcessHotDeployTest {

    static final TestContent CONTENT = TestContent.create().with("processes/after-hours.bpmn", TestContent.EXTRA_FLOW);

    @DynamicPropertySource
    static void content(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.content.quiet-period", () -> "100ms");
    }

    @Autowired RepositoryService repositoryService;
    @Autowired RuntimeService runtimeService;
    @Autowired ProcessFolderDeployer deployer;

    @Test
    void editsDeployNewVersionsWhileRunningCallsKeepTheirsAndBrokenEditsAreRejected() throws Exception {
        var flow = CONTENT.root().resolve("processes/after-hours.bpmn");

        Files.writeString(flow, TestContent.EXTRA_FLOW_WAITING.formatted("Wait"));
        await().atMost(Duration.ofSeconds(10)).until(() -> latest().getVersion() == 2);
        var callOnVersion2 = runtimeService.startProcessInstanceByKey("after-hours", "call-on-v2");

        Files.writeString(flow, TestContent.EXTRA_FLOW_WAITING.formatted("Wait for the caller to hang up"));
        await().atMost(Duration.ofSeconds(10)).until(() -> latest().getVersion() == 3);
        assertThat(repositoryService.getProcessDefinition(callOnVersion2.getProcessDefinitionId()).getVersion())
                .isEqualTo(2);
        assertThat(runtimeService.createProcessInstanceQuery().processInstanceBusinessKey("call-on-v2").count())
                .isEqualTo(1);

        Files.writeString(flow, TestContent.BROKEN_FLOW.replace("broken-flow", "after-hours"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !deployer.lastReport().rejected().isEmpty());
        assertThat(deployer.lastReport().rejected().get(0).file()).endsWith("after-hours.bpmn");
        assertThat(latest().getVersion()).isEqualTo(3);
    }

    private ProcessDefinition latest() {
        return repositoryService.createProcessDefinitionQuery().processDefinitionKey("after-hours").latestVersion()
                .singleResult();
    }
}
