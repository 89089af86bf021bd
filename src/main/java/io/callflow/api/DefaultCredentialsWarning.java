package io.callflow.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Says loudly at start-up when the administrator still has the shipped default password (allowed on loopback only, or
 * when explicitly accepted: {@link DefaultAdminPasswordCheck}).
 */
@Component
class DefaultCredentialsWarning {

    private static final Logger log = LoggerFactory.getLogger(DefaultCredentialsWarning.class);

    private final String adminUser;
    private final String adminPassword;

    DefaultCredentialsWarning(@Value("${callflow.admin.username}") String adminUser,
            @Value("${callflow.admin.password}") String adminPassword) {
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
    }

    @EventListener(ApplicationReadyEvent.class)
    void warnAboutShippedPassword() {
        if (DefaultAdminPasswordCheck.SHIPPED_PASSWORD.equals(adminPassword)) {
            log.warn("The administrator '{}' has the shipped default password; set CALLFLOW_ADMIN_PASSWORD before "
                    + "anyone else can reach this server.", adminUser);
        }
    }
}
