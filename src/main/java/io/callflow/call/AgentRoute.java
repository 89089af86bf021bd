package io.callflow.call;

/**
 * Where the dial plan sends a number an agent dialled from its phone: another agent, a queue's flow, an outside
 * number through an outbound trunk, a feature code, or nowhere (refused with a SIP status and a reason phrase).
 */
public sealed interface AgentRoute {

    /** Another agent's phone: an agent-to-agent (internal) call. */
    record ToAgent(String agentId, String sipUser) implements AgentRoute {
    }

    /** A queue number: the call enters {@code flowKey} as a caller who dialled {@code number}. */
    record ToQueue(String number, String queue, String flowKey) implements AgentRoute {
    }

    /** An outside number, already rewritten (prefix stripped and added), through the named outbound trunk. */
    record ToTrunk(String trunk, String number, String callerId) implements AgentRoute {
    }

    /** A feature code: the named feature runs for the calling agent with the digits after the code. */
    record Feature(String code, String feature, String argument, String reason) implements AgentRoute {
    }

    /** Not routed: {@code status} is 404 (unknown number), 403 (not permitted) or 486 (busy), with a reason. */
    record Refused(int status, String reason) implements AgentRoute {
    }
}
