package io.callflow.flow;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * A call's flow handed the caller to another number or SIP address ({@code target}); {@code agent} is the agent who
 * had the call, if any. Published inside the flow's transaction; the transfer itself is signalled after commit.
 */
public record CallTransferred(CallId callId, String target, String queue, String agent, Instant at) {
}
