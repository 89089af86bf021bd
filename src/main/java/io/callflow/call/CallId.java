package io.callflow.call;

import java.util.Objects;
import java.util.UUID;

/** Identifies one call end to end; it is the call's process business key and the {@code callId} in every log line. */
public record CallId(String value) {

    public CallId {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("call id must not be blank");
        }
    }

    public static CallId random() {
        return new CallId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
