package io.callflow.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.DriverManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseStartupCheckTest {

    @TempDir
    Path dir;

    @Test
    void aReachableDatabaseWithTheRightPasswordPasses() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("ok");
        DriverManager.getConnection(url, "sa", "secret").close();

        assertThatCode(() -> DatabaseStartupCheck.check(url, "sa", "secret")).doesNotThrowAnyException();
    }

    @Test
    void aWrongPasswordNamesTheCredentialSettings() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("locked");
        DriverManager.getConnection(url, "sa", "secret").close();

        assertThatThrownBy(() -> DatabaseStartupCheck.check(url, "sa", "wrong"))
                .isInstanceOfSatisfying(DatabaseUnavailableException.class, e -> {
                    assertThat(e.settingToFix()).contains("CALLFLOW_DB_PASSWORD");
                    assertThat(e.getMessage()).doesNotContain("\n");
                });
    }

    @Test
    void anUnreachableServerNamesTheUrlSetting() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/callflow";

        assertThatThrownBy(() -> DatabaseStartupCheck.check(url, "callflow", "callflow"))
                .isInstanceOfSatisfying(DatabaseUnavailableException.class, e -> {
                    assertThat(e.settingToFix()).startsWith("CALLFLOW_DB_URL");
                    assertThat(e.getMessage()).contains("Connection").contains("refused");
                });
    }

    @Test
    void theFailureReportNeverPrintsAPasswordFromTheUrl() {
        assertThat(DatabaseUnavailableFailureAnalyzer.redact("jdbc:postgresql://db/cf?user=cf&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/cf?user=cf&password=***&ssl=true");
    }
}
