package io.callflow.acd;

import java.util.Optional;

import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallId;

/**
 * The ACD as the flow uses it. Assignment is event-driven: when a call is queued or an agent becomes available the
 * ACD reserves the best agent for the best call and publishes {@link AgentReserved}. Every method is idempotent per
 * call, because a flow may race a hang-up.
 */
public interface CallDistributor {

    /** Puts the call in the queue (or back in it, keeping its original wait time, with the new priority). */
    EnqueueResult enqueue(EnqueueRequest request);

    /** The flow-relevant settings of a queue; an unknown queue gets the configured defaults. */
    QueueSettings settings(String queue);

    /** The call's current place in its queue, or empty when it is not waiting. */
    Optional<EnqueueResult.Queued> position(CallId callId);

    /** The reserved agent's phone is ringing (agent RINGING). */
    void offerRinging(CallId callId, String agentId);

    /** The agent answered: agent ON_CALL, queue log CONNECT. */
    void offerAnswered(CallId callId, String agentId);

    /**
     * The agent did not take the call: the agent is released (and auto-paused after the configured number of misses),
     * queue log RINGNOANSWER; the call stays in its queue but is not offered again until {@link #enqueue} re-activates
     * it.
     */
    void offerFailed(CallId callId, String agentId, AgentLegOutcome outcome);

    /** The call left its queue unconnected; a reserved or ringing agent is released. */
    void leave(CallId callId, QueueExit reason);

    /**
     * The call's signalling is gone (its node died, or its events could not be applied): it leaves its queue (queue
     * log CALL_LOST), an agent reserved or ringing for it is released, an agent talking to it goes to wrap-up.
     * Returns the agents released.
     */
    java.util.List<String> callLost(CallId callId);

    /** A connected call ended: queue log COMPLETE, the agent goes to WRAP_UP and later back to AVAILABLE. */
    void completed(CallId callId, String agentId);
}
