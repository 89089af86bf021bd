package io.callflow.sip;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a normal stop treats calls: new INVITEs and REGISTERs are refused with 503 at once, live calls may continue for
 * {@code callGrace}, those still up are then hung up, and the stop waits up to {@code hangUpTimeout} for their legs
 * to end before the job executor and the database are stopped (docs/architecture.md, "Shutdown order").
 */
@ConfigurationProperties("callflow.shutdown")
public record ShutdownProperties(
        @DefaultValue("0s") Duration callGrace,
        @DefaultValue("5s") Duration hangUpTimeout,
        @DefaultValue("30") int retryAfterSeconds) {
}
