package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;

import io.callflow.CallflowApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mock.env.MockEnvironment;

/** The shipped administrator password is refused wherever others can reach the HTTP server. */
@ExtendWith(OutputCaptureExtension.class)
class DefaultAdminPasswordCheckTest {

    @TempDir
    Path dir;

    @Test
    void thePlainReadmeStartListensOnLoopbackAndIsAllowed() throws IOException {
        StandardEnvironment shipped = new StandardEnvironment();
        shipped.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        shipped.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"))
                .forEach(shipped.getPropertySources()::addLast);

        assertThat(shipped.getProperty("callflow.admin.password"))
                .isEqualTo(DefaultAdminPasswordCheck.SHIPPED_PASSWORD);
        assertThat(shipped.getProperty("server.address")).isEqualTo("127.0.0.1");
        assertThatCode(() -> check(shipped)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0.0.0.0", "::", "192.168.1.20"})
    void theShippedPasswordOnAReachableAddressIsRefused(String address) {
        MockEnvironment env = shippedPassword();
        if (!address.isEmpty()) {
            env.setProperty("server.address", address);
        }

        assertThatThrownBy(() -> check(env)).isInstanceOfSatisfying(DefaultAdminPasswordException.class, e ->
                assertThat(e.getMessage()).contains("'admin' has the shipped default password")
                        .contains(address.isEmpty() ? "all network interfaces" : address));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.1.1", "::1", "localhost"})
    void theShippedPasswordOnLoopbackIsAllowed(String address) {
        assertThatCode(() -> check(shippedPassword().withProperty("server.address", address)))
                .doesNotThrowAnyException();
    }

    @Test
    void anOwnPasswordOrAnExplicitAllowanceStarts() {
        assertThatCode(() -> check(shippedPassword().withProperty("callflow.admin.password", "s3cret")))
                .doesNotThrowAnyException();
        assertThatCode(() -> check(shippedPassword().withProperty(DefaultAdminPasswordCheck.ALLOW, "true")))
                .doesNotThrowAnyException();
    }

    @Test
    void startUpEndsBeforeAnythingIsCreatedWithAReportSayingWhatToSet(CapturedOutput output) {
        SpringApplication application = new SpringApplication(CallflowApplication.class);

        assertThatThrownBy(() -> application.run("--server.address=0.0.0.0", "--server.port=0",
                "--callflow.data-dir=" + dir, "--callflow.database.startup-check=false",
                "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("callflow")))
                .isInstanceOf(DefaultAdminPasswordException.class);

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("The administrator 'admin' has the shipped default password and the HTTP server listens on "
                        + "0.0.0.0")
                .contains("Set CALLFLOW_ADMIN_PASSWORD to a password of your own");
        assertThat(dir).isEmptyDirectory();
    }

    private static MockEnvironment shippedPassword() {
        return new MockEnvironment().withProperty("callflow.admin.username", "admin")
                .withProperty("callflow.admin.password", DefaultAdminPasswordCheck.SHIPPED_PASSWORD);
    }

    private static void check(ConfigurableEnvironment env) {
        GenericApplicationContext context = new GenericApplicationContext();
        context.setEnvironment(env);
        new DefaultAdminPasswordCheck().initialize(context);
    }
}
