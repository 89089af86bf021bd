package io.callflow.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.callflow.platform.ContentFile;
import org.junit.jupiter.api.Test;
import org.kie.api.KieBase;
import org.kie.api.runtime.KieSession;

class RuleCompilerTest {

    static final String VALID = """
            package io.callflow.rules.test
            global java.util.List decisions
            rule "Long numbers are international"
            when
                $number : String( length > 10 )
            then
                decisions.add("international:" + $number);
            end
            """;

    static final String BROKEN = """
            package io.callflow.rules.test

            rule "Missing its end"
            when
                String( length > 10
            then
                System.out.println("never");
            """;

    private final RuleCompiler compiler = new RuleCompiler();

    @Test
    void validRulesCompileIntoARuleBaseThatFires() {
        KieBase kieBase = compiler.compile(List.of(drl("valid.drl", VALID)));

        List<String> decisions = new ArrayList<>();
        KieSession session = kieBase.newKieSession();
        try {
            session.setGlobal("decisions", decisions);
            session.insert("004930123456789");
            session.insert("1001");
            session.fireAllRules();
        } finally {
            session.dispose();
        }
        assertThat(decisions).containsExactly("international:004930123456789");
    }

    @Test
    void aBrokenFileIsReportedWithItsOriginAndLine() {
        assertThatThrownBy(() -> compiler.compile(List.of(drl("valid.drl", VALID), drl("broken.drl", BROKEN))))
                .isInstanceOfSatisfying(InvalidRulesException.class, e -> {
                    assertThat(e.problems()).isNotEmpty();
                    assertThat(e.problems()).allSatisfy(problem -> {
                        assertThat(problem.file()).isEqualTo("/rules/broken.drl");
                        assertThat(problem.line()).isGreaterThan(0);
                    });
                    assertThat(e.getMessage()).contains("/rules/broken.drl:");
                });
    }

    @Test
    void successiveCompilationsAreIndependent() {
        KieBase first = compiler.compile(List.of(drl("valid.drl", VALID)));
        KieBase second = compiler.compile(List.of());

        assertThat(first.getKiePackage("io.callflow.rules.test").getRules()).hasSize(1);
        assertThat(second.getKiePackage("io.callflow.rules.test")).isNull();
    }

    private static ContentFile drl(String name, String text) {
        return new ContentFile(name, "/rules/" + name, text.getBytes(StandardCharsets.UTF_8));
    }
}
