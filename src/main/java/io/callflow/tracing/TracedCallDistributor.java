package io.callflow.tracing;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import io.callflow.acd.CallDistributor;
import io.callflow.acd.EnqueueRequest;
import io.callflow.acd.EnqueueResult;
import io.callflow.acd.QueueExit;
import io.callflow.acd.QueueSettings;
import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallId;
import io.micrometer.tracing.Span;

/**
 * The ACD port with its decisions in the call's trace: {@code acd.enqueue} (queued, reserved at once or refused),
 * {@code acd.wait} from joining the queue to the reservation or leaving, {@code acd.offer} from the agent's phone
 * ringing to the answer or the miss, and the call leaving or completing.
 */
final class TracedCallDistributor implements CallDistributor {

    static final String WAIT = "acd.wait";
    private static final String OFFER = "acd.offer";

    private final CallDistributor distributor;
    private final CallTraces traces;

    TracedCallDistributor(CallDistributor distributor, CallTraces traces) {
        this.distributor = distributor;
        this.traces = traces;
    }

    @Override
    public EnqueueResult enqueue(EnqueueRequest request) {
        var trace = traces.find(request.callId().value()).orElse(null);
        if (trace == null) {
            return distributor.enqueue(request);
        }
        Span span = trace.child("acd.enqueue", FlowSpans.currentActivity(trace), traces.now())
                .tag(CallTraces.QUEUE, request.queue()).tag("callflow.priority", request.priority());
        try {
            EnqueueResult result = distributor.enqueue(request);
            trace.root.tag(CallTraces.QUEUE, request.queue());
            if (result instanceof EnqueueResult.Queued queued) {
                span.tag(CallTraces.OUTCOME, "queued").tag("callflow.position", queued.position());
                trace.start(WAIT, WAIT, null, traces.now()).tag(CallTraces.QUEUE, queued.queue());
            } else if (result instanceof EnqueueResult.Reserved reserved) {
                span.tag(CallTraces.OUTCOME, "reserved").tag(CallTraces.AGENT, reserved.agentId());
                trace.root.tag(CallTraces.AGENT, reserved.agentId());
                // A free agent reserved within the enqueue is the same decision as a later AgentReserved.
                traces.instant(trace.callId, "acd.reservation", traces.now(), reservation -> reservation
                        .tag(CallTraces.QUEUE, reserved.queue()).tag(CallTraces.AGENT, reserved.agentId()));
            } else if (result instanceof EnqueueResult.Rejected rejected) {
                span.tag(CallTraces.OUTCOME, "rejected " + rejected.reason());
            }
            return result;
        } catch (RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    @Override
    public QueueSettings settings(String queue) {
        return distributor.settings(queue);
    }

    @Override
    public Optional<EnqueueResult.Queued> position(CallId callId) {
        return distributor.position(callId);
    }

    @Override
    public void offerRinging(CallId callId, String agentId) {
        distributor.offerRinging(callId, agentId);
        traces.find(callId.value()).ifPresent(trace ->
                trace.start(OFFER, OFFER, null, traces.now()).tag(CallTraces.AGENT, agentId));
    }

    @Override
    public void offerAnswered(CallId callId, String agentId) {
        distributor.offerAnswered(callId, agentId);
        endOffer(callId, "answered");
    }

    @Override
    public void offerFailed(CallId callId, String agentId, AgentLegOutcome outcome) {
        distributor.offerFailed(callId, agentId, outcome);
        endOffer(callId, outcome.name());
    }

    @Override
    public void leave(CallId callId, QueueExit reason) {
        distributor.leave(callId, reason);
        left(callId, reason.name());
    }

    @Override
    public List<String> callLost(CallId callId) {
        List<String> released = distributor.callLost(callId);
        left(callId, QueueExit.CALL_LOST.name());
        return released;
    }

    @Override
    public void completed(CallId callId, String agentId) {
        distributor.completed(callId, agentId);
        traces.instant(callId.value(), "acd.completed", traces.now(), span -> span.tag(CallTraces.AGENT, agentId));
    }

    private void endOffer(CallId callId, String outcome) {
        traces.find(callId.value()).ifPresent(trace ->
                trace.end(OFFER, traces.now(), span -> span.tag(CallTraces.OUTCOME, outcome)));
    }

    private void left(CallId callId, String reason) {
        traces.find(callId.value()).ifPresent(trace -> {
            Consumer<Span> outcome = span -> span.tag(CallTraces.OUTCOME, reason);
            trace.end(WAIT, traces.now(), outcome);
            trace.end(OFFER, traces.now(), outcome);
        });
        traces.instant(callId.value(), "acd.leave", traces.now(), span -> span.tag(CallTraces.OUTCOME, reason));
    }
}
