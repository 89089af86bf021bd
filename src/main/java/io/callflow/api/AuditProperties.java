package io.callflow.api;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The audit log: how long rows are kept ({@code retention}; deleted once a day, {@code 0s} keeps them for ever) and how
 * often a user's successful login from one address is recorded ({@code loginInterval}): the API is stateless, so
 * every request authenticates, and a row per request would bury everything else.
 */
@ConfigurationProperties("callflow.audit")
record AuditProperties(
        @DefaultValue("365d") Duration retention,
        @DefaultValue("10m") Duration loginInterval) {
}
