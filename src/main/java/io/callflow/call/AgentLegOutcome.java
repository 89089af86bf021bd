package io.callflow.call;

/** Why a leg towards an agent did not get answered; each outcome is distinct so the ACD can react to it. */
public enum AgentLegOutcome {
    /** 486 Busy Here or 600 Busy Everywhere. */
    BUSY,
    /** 480 Temporarily Unavailable, or the agent has no reachable contact. */
    UNAVAILABLE,
    /** 603 Decline. */
    DECLINED,
    /** Our ring timeout expired and the leg was cancelled. */
    RING_TIMEOUT,
    /** 408 Request Timeout or a transaction timeout: the phone never answered at the SIP level. */
    NO_RESPONSE,
    /** Any other final failure response. */
    FAILED
}
