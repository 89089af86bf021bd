package io.callflow.tracing;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.callflow.acd.CallDistributor;
import io.callflow.acd.EnqueueRequest;
import io.callflow.acd.EnqueueResult;
import io.callflow.acd.QueueExit;
import io.callflow.acd.QueueSettings;
import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallId;
import io.callflow.routing.CallFacts;
import io.callflow.routing.CallRouter;
import io.callflow.routing.RoutingDecision;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;

/**
 * What tracing costs a call (bench/tracing/run.sh): the spans of one call through the default flow (root, INVITE,
 * flow, 15 activities, the routing decision, enqueue, wait, reservation, offer, completion) made by the same code the
 * application runs, with tracing on (OpenTelemetry SDK, batch processor, an exporter that drops) against tracing off
 * (the routing and ACD ports called directly: with tracing off none of the tracing code exists). Prints microseconds
 * per call for both, after a warm-up.
 */
public final class TracingBenchmark {

    private static final int ACTIVITIES = 15;

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        SpanExporter dropping = new SpanExporter() {
            @Override
            public CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(BatchSpanProcessor.builder(dropping).build()).build();
        var otel = provider.get("callflow");
        var tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> { });
        CallTraces traces = new CallTraces(tracer, Clock.systemUTC(), Duration.ofHours(4));
        CallRouter router = new FixedRouter();
        CallDistributor distributor = new NoDistributor();
        CallRouter tracedRouter = new TracedCallRouter(router, traces);
        CallDistributor tracedDistributor = new TracedCallDistributor(distributor, traces);

        for (int round = 0; round < 3; round++) {
            long off = run(calls, null, router, distributor);
            long on = run(calls, traces, tracedRouter, tracedDistributor);
            if (round == 2) {
                System.out.printf("tracing.off %d calls: %.2f us per call%n", calls, off / 1000.0 / calls);
                System.out.printf("tracing.on  %d calls: %.2f us per call (%d spans per call)%n", calls,
                        on / 1000.0 / calls, ACTIVITIES + 9);
            }
        }
        provider.shutdown();
    }

    /** Nanoseconds for {@code calls} calls; {@code traces} null means tracing off. */
    private static long run(int calls, CallTraces traces, CallRouter router, CallDistributor distributor) {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            String id = "bench-" + i + '-' + start;
            CallId callId = new CallId(id);
            CallTraces.CallTrace trace = null;
            if (traces != null) {
                trace = traces.open(id, traces.now());
                trace.start("sip.invite", "sip.invite", null, traces.now());
                trace.start("flow", "flow inbound-call", null, traces.now());
            }
            for (int a = 0; a < ACTIVITIES; a++) {
                if (trace != null) {
                    trace.start("a" + a, "flow.Activity" + a, trace.get("flow"), traces.now())
                            .tag("callflow.activity.id", "Activity" + a).tag("callflow.activity.type", "serviceTask");
                }
                if (a == 5) {
                    router.route(new CallFacts(id, "+4930", "100", List.of("1"), "en", "standard",
                            ZonedDateTime.now()));
                }
                if (a == 6) {
                    distributor.enqueue(new EnqueueRequest(callId, "sales", 0, Map.of(), "+4930"));
                }
                if (trace != null) {
                    trace.end("a" + a, traces.now(), span -> { });
                }
            }
            distributor.offerRinging(callId, "alice");
            distributor.offerAnswered(callId, "alice");
            distributor.completed(callId, "alice");
            if (traces != null) {
                trace.end("sip.invite", traces.now(), span -> { });
                trace.end("flow", traces.now(), span -> { });
                traces.close(id, traces.now());
            }
        }
        return System.nanoTime() - start;
    }

    /** A router that always decides the same, so only the tracing around it is measured. */
    private static final class FixedRouter implements CallRouter {
        private final RoutingDecision decision = new RoutingDecision("sales", 0, Map.of(), List.of(), false,
                List.of("Default queue"));

        @Override
        public RoutingDecision route(CallFacts call, List<?> more) {
            return decision;
        }
    }

    /** An ACD that queues every call and does nothing else. */
    private static final class NoDistributor implements CallDistributor {
        @Override
        public EnqueueResult enqueue(EnqueueRequest request) {
            return new EnqueueResult.Queued(request.queue(), 1, Duration.ZERO);
        }

        @Override
        public QueueSettings settings(String queue) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<EnqueueResult.Queued> position(CallId callId) {
            return Optional.empty();
        }

        @Override
        public void offerRinging(CallId callId, String agentId) {
        }

        @Override
        public void offerAnswered(CallId callId, String agentId) {
        }

        @Override
        public void offerFailed(CallId callId, String agentId, AgentLegOutcome outcome) {
        }

        @Override
        public void leave(CallId callId, QueueExit reason) {
        }

        @Override
        public List<String> callLost(CallId callId) {
            return List.of();
        }

        @Override
        public void completed(CallId callId, String agentId) {
        }
    }
}
