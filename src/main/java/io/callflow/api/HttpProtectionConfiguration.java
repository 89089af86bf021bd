package io.callflow.api;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Rate limits and the login guard as servlet filters around Spring Security's filter chain (order
 * {@value SecurityProperties#DEFAULT_FILTER_ORDER}), so they cover Camunda's REST API and webapps as well as
 * {@code /api}: the per-source limit and the login guard before it (a refused request costs no password check), the
 * per-user limit after it (it needs the authenticated user). All run after {@link RequestFirewallFilter}.
 */
@Configuration(proxyBeanMethods = false)
class HttpProtectionConfiguration {

    private static final Logger log = LoggerFactory.getLogger(HttpProtectionConfiguration.class);

    @Bean
    FilterRegistrationBean<RateLimitFilter> perSourceRateLimitFilter(HttpProtectionProperties properties,
            Clock clock, MeterRegistry meters) {
        HttpProtectionProperties.RateLimit limits = properties.rateLimit();
        FilterRegistrationBean<RateLimitFilter> registration = new FilterRegistrationBean<>(
                RateLimitFilter.perSource(limits.perSource(), limits.period(), clock, meters));
        registration.setName("callflowPerSourceRateLimit");
        registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER - 2);
        registration.setEnabled(limits.enabled());
        return registration;
    }

    @Bean
    FilterRegistrationBean<RateLimitFilter> perUserRateLimitFilter(HttpProtectionProperties properties,
            Clock clock, MeterRegistry meters) {
        HttpProtectionProperties.RateLimit limits = properties.rateLimit();
        FilterRegistrationBean<RateLimitFilter> registration = new FilterRegistrationBean<>(
                RateLimitFilter.perUser(limits.perUser(), limits.period(), clock, meters));
        registration.setName("callflowPerUserRateLimit");
        registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER + 1);
        registration.setEnabled(limits.enabled());
        return registration;
    }

    @Bean
    LoginGuard loginGuard(HttpProtectionProperties properties, Clock clock, MeterRegistry meters,
            ProcessEngine engine) {
        HttpProtectionProperties.LoginGuardSettings settings = properties.loginGuard();
        // Camunda locks a user for good after loginMaxAttempts failures in a row; the guard must stop guessers first.
        if (settings.enabled() && engine.getProcessEngineConfiguration()
                instanceof ProcessEngineConfigurationImpl camunda
                && settings.maxFailuresPerUser() >= camunda.getLoginMaxAttempts()) {
            log.warn("callflow.http.login-guard.max-failures-per-user ({}) is not below Camunda's loginMaxAttempts"
                    + " ({}): guessing a user's password from unknown addresses can lock that user until an"
                    + " administrator unlocks it in Camunda Admin", settings.maxFailuresPerUser(),
                    camunda.getLoginMaxAttempts());
        }
        return new LoginGuard(settings, clock, meters);
    }

    @Bean
    LoginAttemptListener loginAttemptListener(LoginGuard guard) {
        return new LoginAttemptListener(guard);
    }

    @Bean
    FilterRegistrationBean<LoginGuardFilter> loginGuardFilter(LoginGuard guard) {
        FilterRegistrationBean<LoginGuardFilter> registration =
                new FilterRegistrationBean<>(new LoginGuardFilter(guard));
        registration.setName("callflowLoginGuard");
        registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER - 1);
        return registration;
    }
}
