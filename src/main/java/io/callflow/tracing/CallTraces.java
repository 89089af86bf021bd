package io.callflow.tracing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

/**
 * Each live call's trace, keyed by call id: a call's work runs on its lane, on the job executor and inside the engine's
 * commands, and waits in BPMN wait states between them, so no thread-local context can carry the trace from the INVITE
 * to the hang-up. The root span lives here until the call is over; everything else becomes one of its descendants.
 */
final class CallTraces {

    static final String CALL_ID = "callflow.call.id";
    static final String DID = "callflow.did";
    static final String QUEUE = "callflow.queue";
    static final String AGENT = "callflow.agent";
    static final String OUTCOME = "callflow.outcome";

    private final Tracer tracer;
    private final Clock clock;
    private final Cache<String, CallTrace> calls;

    CallTraces(Tracer tracer, Clock clock, Duration maxCallDuration) {
        this.tracer = tracer;
        this.clock = clock;
        // A call whose end never reached us (its node's flow failed to start, a lost event) must not hold its spans
        // forever: after the longest plausible call its trace is ended as it stands.
        this.calls = Caffeine.newBuilder().expireAfterAccess(maxCallDuration)
                .<String, CallTrace>removalListener((callId, trace, cause) -> {
                    if (trace != null && cause == RemovalCause.EXPIRED) {
                        trace.root.tag(OUTCOME, "expired");
                        trace.endAll(clock.instant());
                    }
                }).build();
    }

    /** The call's trace, started now (at {@code at}) if this is the first thing seen of the call. */
    CallTrace open(String callId, Instant at) {
        return calls.get(callId, id -> new CallTrace(id, tracer.spanBuilder().setNoParent().name("call")
                .kind(Span.Kind.SERVER).tag(CALL_ID, id).startTimestamp(at.toEpochMilli(), TimeUnit.MILLISECONDS)
                .start()));
    }

    /** The trace of a call that is still going on. */
    Optional<CallTrace> find(String callId) {
        return callId == null ? Optional.empty() : Optional.ofNullable(calls.getIfPresent(callId));
    }

    /** Ends the call's root span and whatever is still open below it. */
    void close(String callId, Instant at) {
        CallTrace trace = calls.asMap().remove(callId);
        if (trace != null) {
            trace.endAll(at);
        }
    }

    /** Records a decision that takes no time (a reservation, leaving a queue) as a span of its own in the call's trace. */
    void instant(String callId, String name, Instant at, Consumer<Span> tags) {
        find(callId).ifPresent(trace -> {
            Span span = trace.child(name, null, at);
            tags.accept(span);
            span.end(at.toEpochMilli(), TimeUnit.MILLISECONDS);
        });
    }

    Instant now() {
        return clock.instant();
    }

    /** One call's root span and its spans still open, by a key of the caller's choosing (an activity instance id). */
    final class CallTrace {
        final String callId;
        final Span root;
        private final Map<String, Span> open = new ConcurrentHashMap<>();
        volatile String callerLeg;
        volatile boolean callerGone;
        volatile boolean flowEnded;

        CallTrace(String callId, Span root) {
            this.callId = callId;
            this.root = root;
        }

        /** A new span below {@code parent} (the root when null), tagged with the call id. */
        Span child(String name, Span parent, Instant at) {
            return tracer.spanBuilder().setParent((parent == null ? root : parent).context()).name(name)
                    .tag(CALL_ID, callId).startTimestamp(at.toEpochMilli(), TimeUnit.MILLISECONDS).start();
        }

        /** Starts a span kept open under {@code key} until {@link #end} (a previous one under the key is ended). */
        Span start(String key, String name, Span parent, Instant at) {
            Span span = child(name, parent, at);
            Span previous = open.put(key, span);
            if (previous != null) {
                previous.end(at.toEpochMilli(), TimeUnit.MILLISECONDS);
            }
            return span;
        }

        /** The span open under {@code key}, if any. */
        Span get(String key) {
            return key == null ? null : open.get(key);
        }

        /** Ends the span open under {@code key}, after letting {@code tags} add what is known at its end. */
        void end(String key, Instant at, Consumer<Span> tags) {
            Span span = open.remove(key);
            if (span != null) {
                tags.accept(span);
                span.end(at.toEpochMilli(), TimeUnit.MILLISECONDS);
            }
        }

        void endAll(Instant at) {
            open.values().forEach(span -> span.end(at.toEpochMilli(), TimeUnit.MILLISECONDS));
            open.clear();
            root.end(at.toEpochMilli(), TimeUnit.MILLISECONDS);
        }
    }
}
