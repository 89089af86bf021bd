package io.callflow.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

import io.callflow.platform.ContentProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload of {@code rules/}: a good edit goes live, a broken one is reported and the old rules stay. */
class RuleReloaderTest {

    static final String TO_SALES = """
            package io.callflow.rules
            import io.callflow.routing.CallFacts
            import io.callflow.routing.QueueChoice
            rule "Everything to sales"
            when
                CallFacts()
            then
                insert(new QueueChoice("sales", 1));
            end
            """;

    @TempDir Path rules;

    @Test
    void aBrokenEditIsRejectedWithFileAndLineAndTheOldRulesKeepRouting() throws Exception {
        var content = new ContentProperties(rules.resolve("p"), rules, rules.resolve("x"), rules.resolve("u"), true,
                Duration.ofMillis(100));
        Files.writeString(rules.resolve("queues.drl"), TO_SALES);
        var compiler = new RuleCompiler();
        var ruleBase = new RuleBase(compiler.compile(content.rules().files(".drl")), List.of());
        var router = new DroolsCallRouter(ruleBase, new RoutingProperties("support", ZoneId.of("UTC")));
        var reloader = new RuleReloader(compiler, ruleBase, content);
        reloader.run(null);
        try {
            assertThat(router.route(call()).queue()).isEqualTo("sales");

            Files.writeString(rules.resolve("queues.drl"), TO_SALES.replace("CallFacts()", "CallFacts(")
                    .replace("\"sales\"", "\"billing\""));
            await().atMost(Duration.ofSeconds(20)).until(() -> !ruleBase.status().rejectedProblems().isEmpty());
            RuleProblem problem = ruleBase.status().rejectedProblems().get(0);
            assertThat(problem.file()).endsWith("queues.drl");
            // The parser notices the unclosed pattern at "then", the line after it.
            assertThat(problem.line()).isEqualTo(8);
            assertThat(ruleBase.status().version()).isEqualTo(1);
            assertThat(router.route(call()).queue()).isEqualTo("sales");

            Files.writeString(rules.resolve("queues.drl"), TO_SALES.replace("\"sales\"", "\"billing\""));
            await().atMost(Duration.ofSeconds(20)).until(() -> ruleBase.status().version() == 2);
            assertThat(ruleBase.status().rejectedProblems()).isEmpty();
            assertThat(router.route(call()).queue()).isEqualTo("billing");
        } finally {
            reloader.close();
        }
    }

    private static CallFacts call() {
        return new CallFacts("c", "+49", "100", List.of(), "en", "standard", ZonedDateTime.now());
    }

}
