package io.callflow.media;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Counts dropped RTP packets by reason ({@code callflow.rtp.dropped{reason=...}}), so bad traffic is visible. */
final class RtpDrops {

    /** Why a packet was dropped. */
    enum Reason {
        TOO_SHORT, BAD_VERSION, UNKNOWN_PAYLOAD_TYPE, UNEXPECTED_SOURCE, BAD_EVENT, SRTP_AUTH;

        String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);

    RtpDrops(MeterRegistry meters) {
        for (Reason reason : Reason.values()) {
            counters.put(reason, Counter.builder("callflow.rtp.dropped").tag("reason", reason.tag())
                    .description("RTP packets dropped as invalid or unexpected").register(meters));
        }
    }

    void count(Reason reason) {
        counters.get(reason).increment();
    }
}
