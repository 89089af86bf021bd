package io.callflow.flow;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * A supervisor's monitoring of a call changed: {@code action} STARTED (the supervisor's phone rings), CONNECTED (it
 * answered and is in the call's mix), MODE_CHANGED, ENDED or FAILED (the phone was not reached), with the mode
 * (LISTEN, WHISPER, BARGE), the supervisor user, the agent record whose phone rings, and the call's agent.
 */
public record CallMonitored(CallId callId, String action, String mode, String supervisor, String phone, String agent,
        Instant at) {
}
