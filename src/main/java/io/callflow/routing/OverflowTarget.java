package io.callflow.routing;

/** Calls for queue {@code from} overflow to {@code to}; {@code order} sorts several targets. */
public record OverflowTarget(String from, String to, int order) {
}
