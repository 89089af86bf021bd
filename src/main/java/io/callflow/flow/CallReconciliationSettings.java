package io.callflow.flow;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Reconciliation of calls whose signalling is gone ({@code callflow.calls.*}): whether the node ends the calls it
 * owned before a restart as soon as it starts, and how often it looks for calls that have lost their signalling
 * while it runs (0 turns the sweep off).
 */
@ConfigurationProperties("callflow.calls")
record CallReconciliationSettings(
        @DefaultValue("true") boolean reconcileAtStart,
        @DefaultValue("15s") Duration sweepInterval) {
}
