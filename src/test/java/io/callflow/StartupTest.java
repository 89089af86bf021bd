package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;

import io.callflow.platform.DatabaseUnavailableException;
import io.callflow.routing.InvalidRulesException;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** Starting Callflow the way an operator does: restarts keep data, bad configuration stops it with one clear message. */
@ExtendWith(OutputCaptureExtension.class)
class StartupTest {

    @Test
    void theEmbeddedDatabaseSurvivesARestart() {
        TestContent content = TestContent.create();
        try (ConfigurableApplicationContext first = start(content)) {
            first.getBean(RuntimeService.class).startProcessInstanceByKey("inbound-call", "call-before-restart");
        }
        try (ConfigurableApplicationContext second = start(content)) {
            assertThat(second.getBean(RuntimeService.class).createProcessInstanceQuery()
                    .processInstanceBusinessKey("call-before-restart").count()).isEqualTo(1);
            assertThat(second.getBean(RepositoryService.class).createProcessDefinitionQuery()
                    .processDefinitionKey("inbound-call").latestVersion().singleResult().getVersion()).isEqualTo(1);
        }
    }

    @Test
    void aBrokenRuleFileStopsStartupNamingTheFileAndLine(CapturedOutput output) {
        TestContent content = TestContent.create().with("rules/broken.drl", TestContent.BROKEN_RULE);

        assertThatThrownBy(() -> start(content)).hasRootCauseInstanceOf(InvalidRulesException.class);
        assertThat(output.getOut()).contains("APPLICATION FAILED TO START")
                .contains("The routing rules do not compile")
                .containsPattern("broken\\.drl:\\d+: .*mismatched input");
    }

    @Test
    void aWrongDatabasePasswordStopsStartupNamingTheSetting(CapturedOutput output) throws Exception {
        TestContent content = TestContent.create();
        String url = "jdbc:h2:file:" + content.root().resolve("data/callflow");
        DriverManager.getConnection(url, "sa", "right").close();

        assertThatThrownBy(() -> start(content, "--spring.datasource.url=" + url, "--spring.datasource.password=wrong"))
                .isInstanceOf(DatabaseUnavailableException.class);
        assertThat(output.getOut()).contains("APPLICATION FAILED TO START")
                .contains("Fix CALLFLOW_DB_USER / CALLFLOW_DB_PASSWORD")
                .doesNotContain("HikariPool")
                .doesNotContainPattern("\\n\\s+at [a-z]+\\.");
    }

    @Test
    void anUnreachableDatabaseStopsStartupNamingTheUrl(CapturedOutput output) {
        TestContent content = TestContent.create();

        assertThatThrownBy(() -> start(content, "--spring.profiles.active=test,postgres",
                "--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/callflow"))
                .isInstanceOf(DatabaseUnavailableException.class);
        assertThat(output.getOut()).contains("Cannot open the database at jdbc:postgresql://127.0.0.1:1/callflow")
                .contains("Fix CALLFLOW_DB_URL");
    }

    private static ConfigurableApplicationContext start(TestContent content, String... extraArgs) {
        String[] args = new String[content.propertyArgs().length + extraArgs.length + 1];
        System.arraycopy(content.propertyArgs(), 0, args, 0, content.propertyArgs().length);
        System.arraycopy(extraArgs, 0, args, content.propertyArgs().length, extraArgs.length);
        args[args.length - 1] = "--spring.profiles.include=test";
        return new SpringApplicationBuilder(CallflowApplication.class).run(args);
    }
}
