package io.callflow.flow;

/** Message names the call flows wait on, and the variables that carry each message's outcome. */
public final class FlowMessages {

    /** Digit collection ended; variable {@link #DIGITS} holds the digits, empty for no input. */
    public static final String DIGITS_COLLECTED = "DigitsCollected";
    /** The offered agent's leg ended ringing; variable {@link #AGENT_OUTCOME} says how. */
    public static final String AGENT_LEG_RESULT = "AgentLegResult";
    /** The bridged call ended from the agent's side (the caller's side is {@link #CALLER_HUNG_UP}). */
    public static final String CALL_ENDED = "CallEnded";
    /** The caller hung up, wherever the call was: an interrupting event sub-process. */
    public static final String CALLER_HUNG_UP = "CallerHungUp";
    /** A party asked for a transfer; variable {@link #TRANSFER_TARGET}. */
    public static final String TRANSFER_REQUESTED = "TransferRequested";
    /** The prompts queued on the caller's leg have played. */
    public static final String PLAYBACK_FINISHED = "PlaybackFinished";

    public static final String DIGITS = "digits";
    public static final String AGENT_OUTCOME = "agentOutcome";
    public static final String TRANSFER_TARGET = "transferTarget";
    /** {@code ANSWERED} or an {@link io.callflow.call.AgentLegOutcome} name. */
    public static final String ANSWERED = "ANSWERED";

    private FlowMessages() {
    }
}
