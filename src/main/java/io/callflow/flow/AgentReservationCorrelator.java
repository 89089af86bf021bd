package io.callflow.flow;

import java.util.Map;

import io.callflow.acd.AgentReserved;
import io.callflow.acd.CallDistributor;
import io.callflow.acd.QueueExit;
import io.callflow.acd.QueueLeft;
import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallEventPublisher;
import org.camunda.bpm.engine.RuntimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Hands a reserved agent to the waiting call's flow (message {@code AgentReserved}). It runs on the call's lane, after
 * the reservation committed and in order with the call's other events. A reservation no flow takes must not keep the
 * agent: a call that is gone leaves its queue (which frees the agent); a call that is not waiting (it should not be
 * eligible then) gives the agent back.
 */
@Component
class AgentReservationCorrelator {

    static final String AGENT_RESERVED = "AgentReserved";
    static final String QUEUE_LEFT = "QueueLeft";
    private static final Logger log = LoggerFactory.getLogger(AgentReservationCorrelator.class);

    private final RuntimeService runtimeService;
    private final CallDistributor distributor;
    private final CallEventPublisher lanes;

    AgentReservationCorrelator(RuntimeService runtimeService, CallDistributor distributor, CallEventPublisher lanes) {
        this.runtimeService = runtimeService;
        this.distributor = distributor;
        this.lanes = lanes;
    }

    @EventListener
    void on(AgentReserved reserved) {
        lanes.onLane(reserved.callId(), () -> deliver(reserved));
    }

    /** The ACD emptied the call's queue (leave-when-empty): the flow moves the call on to its overflow. */
    @EventListener
    void on(QueueLeft left) {
        lanes.onLane(left.callId(), () -> runtimeService.createMessageCorrelation(QUEUE_LEFT)
                .processInstanceBusinessKey(left.callId().value())
                .setVariable("queueLeftReason", left.reason())
                .correlateAllWithResult());
    }

    private void deliver(AgentReserved reserved) {
        String callId = reserved.callId().value();
        boolean taken = !runtimeService.createMessageCorrelation(AGENT_RESERVED)
                .processInstanceBusinessKey(callId)
                .setVariables(Map.of("agentId", reserved.agentId(), "agentAddress", reserved.sipUser(),
                        "queue", reserved.queue()))
                .correlateAllWithResult().isEmpty();
        if (taken) {
            return;
        }
        boolean callAlive = runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(callId).count() > 0;
        if (callAlive) {
            log.warn("Agent {} was reserved for call {}, which is not waiting in a queue; giving the agent back",
                    reserved.agentId(), callId);
            distributor.offerFailed(reserved.callId(), reserved.agentId(), AgentLegOutcome.FAILED);
        } else {
            log.info("Agent {} was reserved for call {}, which has ended; releasing the agent", reserved.agentId(),
                    callId);
            distributor.leave(reserved.callId(), QueueExit.ABANDON);
        }
    }
}
