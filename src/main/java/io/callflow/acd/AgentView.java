package io.callflow.acd;

import java.time.Instant;
import java.util.Map;

/** An agent as supervisors and the agent console see it: state, why, since when, and today's figures. */
public record AgentView(String id, String name, String sipUser, AgentState state, String stateReason,
        Instant stateSince, boolean registered, String currentCall, int callsToday, long talkSecondsToday,
        Map<String, Integer> skills) {
}
