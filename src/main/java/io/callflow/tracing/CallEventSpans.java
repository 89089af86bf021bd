package io.callflow.tracing;

import java.util.concurrent.TimeUnit;

import io.callflow.acd.AgentReserved;
import io.callflow.call.AgentLegFailed;
import io.callflow.call.CallArrived;
import io.callflow.call.CallEvent;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegRinging;
import io.callflow.tracing.CallTraces.CallTrace;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Turns the call events into the trace's frame: the root span opens when the INVITE arrives and a {@code sip.invite}
 * span covers the caller's INVITE until the flow answers it or the caller gives up; legs ringing, answering and hanging up are events on the root;
 * the root ends when both the caller is gone and the flow has ended (whichever comes last).
 */
class CallEventSpans {

    private static final String INVITE = "sip.invite";

    private final CallTraces traces;

    CallEventSpans(CallTraces traces) {
        this.traces = traces;
    }

    // First among the listeners: the flow starts from the same event, and its activities need the root to exist.
    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    void arrived(CallArrived event) {
        CallTrace trace = traces.open(event.callId().value(), event.at());
        trace.callerLeg = event.callerLeg().value();
        trace.root.tag(CallTraces.DID, event.did());
        trace.root.tag("callflow.trunk", event.trunk());
        trace.root.tag("callflow.flow", event.flowKey());
        trace.start(INVITE, INVITE, null, event.at()).tag(CallTraces.DID, event.did());
    }

    /** The flow answered the caller (Callflow sends the 200 OK itself, so no call event says so). */
    void callerAnswered(String callId) {
        traces.find(callId).ifPresent(trace -> trace.end(INVITE, traces.now(),
                span -> span.tag(CallTraces.OUTCOME, "answered")));
    }

    @EventListener
    void ringing(LegRinging event) {
        onRoot(event, "leg ringing " + event.legId().value());
    }

    @EventListener
    void answered(LegAnswered event) {
        traces.find(event.callId().value()).ifPresent(trace -> {
            if (event.legId().value().equals(trace.callerLeg)) {
                trace.end(INVITE, event.at(), span -> span.tag(CallTraces.OUTCOME, "answered"));
            }
            trace.root.event("leg answered " + event.party(), event.at().toEpochMilli(), TimeUnit.MILLISECONDS);
        });
    }

    @EventListener
    void agentLegFailed(AgentLegFailed event) {
        onRoot(event, "agent leg failed " + event.agent() + ' ' + event.outcome());
    }

    @EventListener
    void hungUp(LegHungUp event) {
        String callId = event.callId().value();
        traces.find(callId).ifPresent(trace -> {
            trace.root.event("leg hung up " + event.cause(), event.at().toEpochMilli(), TimeUnit.MILLISECONDS);
            if (!event.legId().value().equals(trace.callerLeg)) {
                return;
            }
            trace.end(INVITE, event.at(), span -> span.tag(CallTraces.OUTCOME, "not answered " + event.cause()));
            trace.root.tag("callflow.hangup.cause", event.cause().name());
            trace.callerGone = true;
            if (trace.flowEnded) {
                traces.close(callId, event.at());
            }
        });
    }

    /** The ACD reserved an agent for a waiting call (published after the reservation committed). */
    @EventListener
    void reserved(AgentReserved event) {
        traces.instant(event.callId().value(), "acd.reservation", event.at(), span -> span
                .tag(CallTraces.QUEUE, event.queue()).tag(CallTraces.AGENT, event.agentId()));
        traces.find(event.callId().value()).ifPresent(trace -> {
            trace.end(TracedCallDistributor.WAIT, event.at(), span -> span.tag(CallTraces.OUTCOME, "reserved")
                    .tag(CallTraces.AGENT, event.agentId()));
            trace.root.tag(CallTraces.AGENT, event.agentId());
        });
    }

    private void onRoot(CallEvent event, String name) {
        traces.find(event.callId().value()).ifPresent(trace ->
                trace.root.event(name, event.at().toEpochMilli(), TimeUnit.MILLISECONDS));
    }
}
