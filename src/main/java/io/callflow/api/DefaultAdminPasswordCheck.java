package io.callflow.api;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Refuses to start, before any bean exists, when the administrator would get the shipped default password on an HTTP
 * server that others can reach (any address but loopback; no {@code server.address} means all interfaces), unless
 * {@code callflow.admin.allow-default-password} says so. Before beans, because the engine stores the administrator's
 * password when it first creates the user, and a later change of {@code CALLFLOW_ADMIN_PASSWORD} would not reach it.
 */
public class DefaultAdminPasswordCheck implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    static final String SHIPPED_PASSWORD = "callflow";
    static final String ALLOW = "callflow.admin.allow-default-password";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        Environment env = context.getEnvironment();
        if (!SHIPPED_PASSWORD.equals(env.getProperty("callflow.admin.password"))
                || env.getProperty(ALLOW, Boolean.class, false)) {
            return;
        }
        String address = env.getProperty("server.address");
        if (!isLoopback(address)) {
            throw new DefaultAdminPasswordException(env.getProperty("callflow.admin.username"),
                    address == null || address.isBlank() ? "all network interfaces (server.address is not set)"
                            : address);
        }
    }

    static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(address.trim()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
