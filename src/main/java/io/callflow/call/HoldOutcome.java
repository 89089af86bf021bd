package io.callflow.call;

/** What a hold or resume command did to a call: changed it, found it so already, or found no agent bridged to it. */
public enum HoldOutcome {
    CHANGED, ALREADY, NO_AGENT
}
