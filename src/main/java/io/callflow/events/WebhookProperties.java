package io.callflow.events;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhook delivery (docs/configuration.md, docs/webhooks.md): how often the outbox is looked at without a local
 * wake-up, request timeouts, the retry schedule ({@code maxAttempts} requests, exponential backoff from
 * {@code backoffInitial} to {@code backoffMax}), the lease a node holds on a claimed delivery, sender threads, the
 * largest batch, how long a late-committing outbox row is waited for, how long finished deliveries are kept, and
 * whether receivers on private or loopback addresses are allowed (an SSRF consideration, docs/security.md).
 */
@ConfigurationProperties("callflow.webhooks")
record WebhookProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("8") int maxAttempts,
        @DefaultValue("10s") Duration backoffInitial,
        @DefaultValue("1h") Duration backoffMax,
        @DefaultValue("1m") Duration claimLease,
        @DefaultValue("4") int threads,
        @DefaultValue("100") int maxBatchSize,
        @DefaultValue("5m") Duration lateCommitWindow,
        @DefaultValue("30d") Duration retention,
        @DefaultValue("true") boolean allowPrivateAddresses) {

    WebhookProperties {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("callflow.webhooks.max-attempts must be at least 1");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("callflow.webhooks.threads must be at least 1");
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("callflow.webhooks.max-batch-size must be at least 1");
        }
        if (claimLease.compareTo(requestTimeout.plus(connectTimeout)) <= 0) {
            // A lease that ends while the request may still be running lets a second node send the same attempt.
            throw new IllegalArgumentException("callflow.webhooks.claim-lease (" + claimLease
                    + ") must be longer than connect-timeout + request-timeout");
        }
        if (backoffInitial.isNegative() || backoffInitial.isZero() || backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("callflow.webhooks.backoff-initial must be positive and at most"
                    + " backoff-max");
        }
    }
}
