package io.callflow.tracing;

import java.util.List;

import io.callflow.routing.CallFacts;
import io.callflow.routing.CallRouter;
import io.callflow.routing.RoutingDecision;
import io.micrometer.tracing.Span;

/** The routing port with a {@code routing.decide} span in the call's trace: which queue the rules chose, and why. */
final class TracedCallRouter implements CallRouter {

    private final CallRouter router;
    private final CallTraces traces;

    TracedCallRouter(CallRouter router, CallTraces traces) {
        this.router = router;
        this.traces = traces;
    }

    @Override
    public RoutingDecision route(CallFacts call, List<?> more) {
        var trace = traces.find(call.callId()).orElse(null);
        if (trace == null) {
            return router.route(call, more);
        }
        Span span = trace.child("routing.decide", FlowSpans.currentActivity(trace), traces.now())
                .tag(CallTraces.DID, call.did());
        try {
            RoutingDecision decision = router.route(call, more);
            span.tag(CallTraces.QUEUE, decision.queue()).tag("callflow.priority", decision.priority())
                    .tag("callflow.closed", decision.closed())
                    .tag("callflow.rules.fired", String.join(", ", decision.firedRules()))
                    .tag(CallTraces.OUTCOME, decision.closed() ? "closed" : "queue " + decision.queue());
            trace.root.tag(CallTraces.QUEUE, decision.queue());
            return decision;
        } catch (RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }
}
