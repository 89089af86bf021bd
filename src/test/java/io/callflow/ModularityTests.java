package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fixture.illegal.IllegalFixtureApplication;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.core.Violations;

/** Keeps the module boundaries of the architecture brief honest. */
class ModularityTests {

    @Test
    void modulesOnlyUseEachOthersPublicApi() {
        ApplicationModules modules = ApplicationModules.of(CallflowApplication.class);
        assertThat(modules.stream().map(module -> module.getIdentifier().toString()))
                .contains("call", "sip", "media", "flow", "routing", "acd", "api");
        modules.verify();
    }

    @Test
    void theCheckFailsOnAnIllegalDependency() {
        // A module reaching into another module's internal package must be reported, or the test above proves nothing.
        ApplicationModules fixture = ApplicationModules.of(IllegalFixtureApplication.class, location -> true);
        assertThatThrownBy(fixture::verify)
                .isInstanceOf(Violations.class)
                .hasMessageContaining("alpha")
                .hasMessageContaining("internal");
    }
}
