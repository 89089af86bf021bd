package io.callflow.api;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Wires the audit log: the log itself, its daily retention job, the listener recording logins and the filter recording
 * changes through {@code /api} and {@code /engine-rest}.
 */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

    @Bean(destroyMethod = "close")
    AuditLog auditLog(JdbcTemplate jdbc, Clock clock, MeterRegistry meters) {
        return new AuditLog(jdbc, clock, meters);
    }

    @Bean(destroyMethod = "close")
    AuditRetention auditRetention(AuditLog auditLog, AuditProperties properties) {
        return new AuditRetention(auditLog, properties.retention());
    }

    @Bean
    AuditLoginListener auditLoginListener(AuditLog auditLog, AuditProperties properties, Clock clock) {
        return new AuditLoginListener(auditLog, properties.loginInterval(), clock);
    }

    @Bean
    FilterRegistrationBean<AuditRequestFilter> auditRequestFilter(AuditLog auditLog) {
        FilterRegistrationBean<AuditRequestFilter> registration = new FilterRegistrationBean<>(
                new AuditRequestFilter(auditLog));
        // Just outside Spring Security's filters, so a request they refuse (403) is seen with its status too; who
        // made it is known from the authentication events (the security context is cleared before we see the end).
        registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER - 1);
        registration.addUrlPatterns("/api/*", "/engine-rest/*");
        return registration;
    }
}
