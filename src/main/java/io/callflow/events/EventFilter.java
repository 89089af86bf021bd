package io.callflow.events;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A subscriber's filter: event types, queues and agents (an empty set lets everything through). An event passes when
 * it passes every non-empty set; an event without a queue (or agent) does not pass a queue (or agent) filter.
 */
public record EventFilter(Set<String> types, Set<String> queues, Set<String> agents) {

    public EventFilter {
        types = Set.copyOf(types);
        queues = Set.copyOf(queues);
        agents = Set.copyOf(agents);
    }

    /** Everything. */
    public static EventFilter all() {
        return new EventFilter(Set.of(), Set.of(), Set.of());
    }

    /**
     * Parses comma-separated query parameters (null or blank: no filter). Throws {@link IllegalArgumentException}
     * naming an unknown type.
     */
    public static EventFilter parse(String types, String queues, String agents) {
        Set<String> typeSet = split(types);
        Set<String> unknown = typeSet.stream().filter(type -> !EventTypes.ALL.contains(type))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown event type(s) " + unknown + "; known: "
                    + EventTypes.ALL.stream().sorted().toList());
        }
        return new EventFilter(typeSet, split(queues), split(agents));
    }

    /** Whether the event passes (notices about the stream itself always do). */
    public boolean matches(PlatformEvent event) {
        if (event.type().startsWith("stream.")) {
            return true;
        }
        return (types.isEmpty() || types.contains(event.type()))
                && (queues.isEmpty() || queues.contains(event.queue()))
                && (agents.isEmpty() || agents.contains(event.agentId()));
    }

    /** Whether queue statistics can pass at all (saves computing them for nobody). */
    boolean wantsQueueStats() {
        return (types.isEmpty() || types.contains(EventTypes.QUEUE_STATS)) && agents.isEmpty();
    }

    private static Set<String> split(String list) {
        if (list == null || list.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(list.split(",")).map(String::trim).filter(item -> !item.isEmpty())
                .collect(Collectors.toSet());
    }
}
