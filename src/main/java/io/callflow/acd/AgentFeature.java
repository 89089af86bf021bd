package io.callflow.acd;

/**
 * A feature an agent starts by dialling a feature code from its phone (pause, resume; later e.g. supervisor listen
 * "*1&lt;ext&gt;"). Each feature is a Spring bean; the dial plan's {@code features} entries name it, and a name no bean
 * has is refused when the dial plan is loaded.
 */
public interface AgentFeature {

    /** The name dial plan entries use ({@code feature: pause}). */
    String name();

    /** Whether digits may follow the code ({@code *1201}: the argument is {@code 201}). */
    default boolean takesArgument() {
        return false;
    }

    /**
     * Runs the feature for the agent; {@code reason} is the dial plan entry's reason (may be null). Returns what
     * happened, or throws {@link AgentFeature.Refused} when the agent may not use it now.
     */
    String run(String agentId, String argument, String reason);

    /** The feature cannot run for this agent now (a busy agent cannot pause): the phone gets 403 with the message. */
    class Refused extends RuntimeException {

        public Refused(String message) {
            super(message);
        }
    }
}
