package io.callflow.acd;

import java.util.List;

/**
 * The dial plan for calls agents place from their phones, as written in the provisioning file's {@code dialPlan}
 * section and in the API's JSON. Every agent's {@code sipUser} is an extension without being listed; listed
 * extensions add other numbers and the agent's DID (its presented number outside).
 */
public record AgentDialPlanDocument(List<Extension> extensions, List<QueueNumber> queues, List<Outside> outside,
        List<FeatureCode> features) {

    public AgentDialPlanDocument {
        extensions = extensions == null ? List.of() : List.copyOf(extensions);
        queues = queues == null ? List.of() : List.copyOf(queues);
        outside = outside == null ? List.of() : List.copyOf(outside);
        features = features == null ? List.of() : List.copyOf(features);
    }

    /** An extension number that rings an agent's phone; {@code did} is the agent's own outside number. */
    public record Extension(String number, String agent, String did) {
    }

    /** A number that puts the agent's call into a queue's flow ({@code flow}, default {@code inbound-call}). */
    public record QueueNumber(String number, String queue, String flow) {
    }

    /**
     * Outside numbers: dialled digits matching {@code pattern} (a regular expression over the whole number) lose
     * {@code strip} leading digits, get {@code prepend} and go out through {@code trunk} (null: the default trunk),
     * presenting {@code callerId} (a number, {@code agent-did} for the agent's extension DID, or null for the trunk's
     * rule). {@code agents}, when given, lists the agent ids allowed to use the route.
     */
    public record Outside(String pattern, Integer strip, String prepend, String trunk, String callerId,
            List<String> agents) {
    }

    /** A feature code ({@code *21}) and the feature it starts, with an optional reason (a pause reason). */
    public record FeatureCode(String code, String feature, String reason) {
    }
}
