package io.callflow.routing;

/** A tier the rules derived for the caller (e.g. VIP from a known number), in addition to CallFacts.customerTier. */
public record CustomerTier(String tier) {
}
