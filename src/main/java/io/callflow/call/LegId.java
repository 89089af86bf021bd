package io.callflow.call;

import java.util.Objects;
import java.util.UUID;

/** Identifies one leg of a call: the caller's leg or a leg towards an agent. */
public record LegId(String value) {

    public LegId {
        Objects.requireNonNull(value, "value");
    }

    public static LegId random() {
        return new LegId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
