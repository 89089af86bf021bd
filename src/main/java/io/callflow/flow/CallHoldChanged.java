package io.callflow.flow;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * A call was put on hold ({@code held}) or resumed: {@code by} is {@code agent-phone}, {@code caller-phone} (a
 * re-INVITE) or {@code api} (then {@code actor} is the user). Published inside the transaction that writes the action
 * to the call's timeline.
 */
public record CallHoldChanged(CallId callId, boolean held, String by, String actor, String queue, String agent,
        Instant at) {
}
