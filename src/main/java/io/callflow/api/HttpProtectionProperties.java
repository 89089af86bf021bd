package io.callflow.api;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Protection of the HTTP surface against floods and password guessing: request rate limits per source address and
 * per authenticated user, the HTTP Basic login guard, and how long a checked password is remembered
 * ({@code authenticationCacheTtl}, 0 to check every request against the user store; docs/configuration.md, "HTTP
 * protection").
 */
@ConfigurationProperties("callflow.http")
@Validated
public record HttpProtectionProperties(
        @DefaultValue @Valid RateLimit rateLimit,
        @DefaultValue @Valid LoginGuardSettings loginGuard,
        @DefaultValue("10s") Duration authenticationCacheTtl) {

    /**
     * Token buckets of {@code perSource} (or {@code perUser}) requests refilled evenly over {@code period}: the
     * sustained rate is the limit per period, and a client that was quiet may send up to a whole period's worth at
     * once (a page load with its assets).
     */
    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("1200") @Positive int perSource,
            @DefaultValue("600") @Positive int perUser,
            @DefaultValue("1m") Duration period) {
    }

    /**
     * Failed HTTP Basic logins tolerated per source address and per user name; failures are forgotten after
     * {@code window} without another one. Reaching a limit refuses logins for {@code blockTime}, doubled with each
     * further failure up to {@code maxBlockTime}.
     */
    public record LoginGuardSettings(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("10") @Positive int maxFailuresPerSource,
            @DefaultValue("5") @Positive int maxFailuresPerUser,
            @DefaultValue("15m") Duration window,
            @DefaultValue("1m") Duration blockTime,
            @DefaultValue("1h") Duration maxBlockTime) {
    }
}
