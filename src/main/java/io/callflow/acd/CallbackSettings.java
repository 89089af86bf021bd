package io.callflow.acd;

import java.time.Duration;
import java.util.Set;

/**
 * A queue's callback offer: whether waiting callers may ask to be called back, the key they press, who is rung first
 * ({@code agent-first} or {@code customer-first}), how often a customer who does not answer is tried again, after how
 * long, and for how long after the request a callback may still be placed.
 */
public record CallbackSettings(boolean enabled, String key, String order, int retries, Duration retryDelay,
        Duration window) {

    /** The orders a queue may use. */
    public static final Set<String> ORDERS = Set.of("agent-first", "customer-first");
    /** The keys a caller may press for a callback: digits, which the position announcement can say. */
    static final String KEYS = "0123456789";

    /** Callbacks off, with the defaults a queue gets when it turns them on. */
    public static final CallbackSettings OFF = new CallbackSettings(false, "5", "agent-first", 2,
            Duration.ofMinutes(2), Duration.ofHours(4));

    /** Whether the agent's phone rings before the customer is dialled. */
    public boolean agentFirst() {
        return !"customer-first".equals(order);
    }
}
