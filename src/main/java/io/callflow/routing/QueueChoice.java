package io.callflow.routing;

/** A rule's choice of target queue; among several, the highest weight wins. */
public record QueueChoice(String queue, int weight) {
}
