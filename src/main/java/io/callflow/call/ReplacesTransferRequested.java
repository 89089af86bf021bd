package io.callflow.call;

import java.time.Instant;

/**
 * An agent's phone asked to complete an attended transfer itself (REFER with Replaces, RFC 3891 and RFC 5589 section
 * 7): the caller of {@code callId} is to be connected to {@code targetLeg}, the answered leg of the call the same phone
 * placed to consult ({@code consultCallId}); {@code transferorLeg} is the agent's leg the REFER came on. The SIP layer
 * has checked the dialogs; the flow decides, then completes or refuses it through {@link CallControl}.
 */
public record ReplacesTransferRequested(CallId callId, LegId transferorLeg, CallId consultCallId, LegId targetLeg,
        String sipUser, String target, Instant at) implements CallEvent {
}
