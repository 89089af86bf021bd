package io.callflow.acd;

import java.util.Map;

import io.callflow.call.CallId;

/** A call asking to wait in a queue for an agent with the required skills (minimum proficiency per skill). */
public record EnqueueRequest(CallId callId, String queue, int priority, Map<String, Integer> requiredSkills,
        String caller) {
}
