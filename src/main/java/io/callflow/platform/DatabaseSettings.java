package io.callflow.platform;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How Callflow rides out a database outage ({@code callflow.database.*}): how often the database is probed, how long
 * a probe may take before the database counts as away, the Retry-After given to new calls meanwhile, and how long a
 * call's events wait for the database before the call is ended.
 */
@ConfigurationProperties("callflow.database")
public record DatabaseSettings(
        @DefaultValue("true") boolean startupCheck,
        @DefaultValue("1s") Duration probeInterval,
        @DefaultValue("2s") Duration probeTimeout,
        @DefaultValue("10s") Duration retryAfter,
        @DefaultValue("2m") Duration eventRetryLimit) {
}
