package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus files shipped in {@code ops/prometheus} as Prometheus itself reads them: {@code promtool} checks the
 * rules and the example configuration, and runs the rules' unit tests ({@code alerts.test.yml}), where each alert
 * fires on its situation and stays quiet otherwise. Without promtool the test is skipped on a developer's machine but
 * fails under CI ({@code CI=true}), where .ci/run installs the Debian package prometheus.
 */
class AlertRulesTest {

    static final Path PROMETHEUS = Path.of("ops/prometheus").toAbsolutePath();

    @BeforeAll
    static void promtool() {
        boolean present = List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "promtool")));
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("promtool is not installed; .ci/run installs the Debian package prometheus");
        }
        assumeTrue(present, "promtool is not installed (apt-get install prometheus)");
    }

    @Test
    void theAlertRulesAreValid() throws Exception {
        assertThat(promtool("check", "rules", "alerts.yml")).contains("SUCCESS");
    }

    @Test
    void everyAlertFiresOnItsSituationAndNotOtherwise() throws Exception {
        assertThat(promtool("test", "rules", "alerts.test.yml")).contains("SUCCESS");
    }

    @Test
    void theExampleScrapeConfigurationIsValidAndLoadsTheRules() throws Exception {
        assertThat(promtool("check", "config", "prometheus.yml")).contains("1 rule files found");
    }

    @Test
    void aBrokenRuleIsReported() throws Exception {
        // promtool must fail on a broken file, or the checks above prove nothing.
        Path broken = Files.createTempFile("alerts", ".yml");
        Files.writeString(broken, Files.readString(PROMETHEUS.resolve("alerts.yml"))
                .replace("callflow_database_available == 0", "callflow_database_available == == 0"));
        Process process = new ProcessBuilder("promtool", "check", "rules", broken.toString())
                .redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isNotZero();
    }

    private static String promtool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(PROMETHEUS.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("promtool " + String.join(" ", arguments) + " did not finish");
        }
        assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", arguments), output).isZero();
        return output;
    }
}
