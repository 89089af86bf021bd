package io.callflow.platform;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Opens one connection with the configured URL and credentials before any bean exists, so a wrong URL or password
 * ends start-up with one sentence naming the setting to fix instead of pages of pool and engine stack traces.
 */
public class DatabaseStartupCheck implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    static final String ENABLED = "callflow.database.startup-check";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        Environment env = context.getEnvironment();
        if (!env.getProperty(ENABLED, Boolean.class, true)) {
            return;
        }
        String url = env.getProperty("spring.datasource.url");
        if (url == null || url.isBlank()) {
            return;
        }
        check(url, env.getProperty("spring.datasource.username"), env.getProperty("spring.datasource.password"));
    }

    /** Throws {@link DatabaseUnavailableException} when no connection can be opened. */
    public static void check(String url, String user, String password) {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        // PostgreSQL's driver would otherwise wait for the OS TCP timeout on an unroutable host.
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "10");
        try (var ignored = DriverManager.getConnection(url, props)) {
            // reachable and the credentials are accepted
        } catch (SQLException e) {
            throw new DatabaseUnavailableException(url, settingFor(e), oneLine(e), e);
        }
    }

    /** SQLSTATE class 28 is "invalid authorization" in both PostgreSQL and H2 (ISO/IEC 9075). */
    static String settingFor(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("28")) {
            return "CALLFLOW_DB_USER / CALLFLOW_DB_PASSWORD (spring.datasource.username / spring.datasource.password)";
        }
        if (state.equals("3D000")) {
            return "CALLFLOW_DB_URL (spring.datasource.url): the database named in it does not exist";
        }
        return "CALLFLOW_DB_URL (spring.datasource.url)";
    }

    private static String oneLine(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message).trim();
    }
}
