package io.callflow.call;

/**
 * The dial plan for calls agents place from their own phones: the SIP layer asks it where a number dialled by an
 * authenticated SIP user goes (the ACD keeps the plan with the agents, queues and numbers).
 */
public interface AgentDialPlan {

    /** Where {@code dialled} goes when the agent with SIP user {@code sipUser} dials it; never null. */
    AgentRoute route(String sipUser, String dialled);
}
