package io.callflow.events;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds an event's {@code data}: fields whose value is unknown (null) are left out rather than sent as null. */
final class EventData {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    static EventData with(String name, Object value) {
        return new EventData().and(name, value);
    }

    EventData and(String name, Object value) {
        if (value != null) {
            fields.put(name, value);
        }
        return this;
    }

    Map<String, Object> map() {
        return fields;
    }
}
