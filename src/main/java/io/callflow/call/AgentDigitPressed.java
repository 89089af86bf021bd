package io.callflow.call;

import java.time.Instant;

/**
 * A key pressed on a leg other than the caller's (an agent's phone) during the call, as RFC 4733 telephone-event, SIP
 * INFO or in-band tone: what feature codes (e.g. pausing the recording) are made of.
 */
public record AgentDigitPressed(CallId callId, LegId legId, char digit, Instant at) implements CallEvent {
}
