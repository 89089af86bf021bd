package io.callflow.acd;

/** Why a call left its queue without being connected, as written to the queue event log. */
public enum QueueExit {
    /** The caller hung up while waiting or while an agent rang. */
    ABANDON,
    /** The maximum wait passed; the flow sends the call to the overflow target. */
    EXITWITHTIMEOUT,
    /** The call was transferred away. */
    TRANSFER,
    /** The call's signalling and media were lost (the node that carried them died); ended by reconciliation. */
    CALL_LOST
}
