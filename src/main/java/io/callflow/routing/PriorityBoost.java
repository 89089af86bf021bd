package io.callflow.routing;

/** Raises the call's priority by {@code amount}; boosts from several rules add up. */
public record PriorityBoost(int amount) {
}
