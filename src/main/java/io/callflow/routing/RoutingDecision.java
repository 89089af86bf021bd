package io.callflow.routing;

import java.util.List;
import java.util.Map;

/**
 * Where a call goes: its target queue, priority (higher is served first) and required skills with minimum levels,
 * the queues to overflow to in order, whether the centre is closed for it, and the rules that fired (explanation).
 */
public record RoutingDecision(String queue, int priority, Map<String, Integer> requiredSkills,
        List<String> overflowChain, boolean closed, List<String> firedRules) {
}
