package io.callflow.flow;

import java.util.Map;

import io.callflow.call.CallControl;
import io.callflow.call.ReplacesTransferRequested;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Attended transfer completed from the agent's own phone: the agent held the caller, called a colleague or a number
 * from the phone ({@link AgentPlacedCalls}) and sent REFER with Replaces. The caller's call must be the agent's
 * connected call (its process instance names the REFER's leg as the agent's), and the consultation an answered call
 * the same agent placed; then the consultation call is handed over, the transfer recorded as an attended consultation
 * ({@link Consultations}: TRANSFER row, timeline, process trail, first agent to wrap-up) and the legs moved. Anything
 * else is refused to the phone with a reason, and the caller stays with the agent.
 */
@Service
public class PhoneTransfers {

    private static final Logger log = LoggerFactory.getLogger(PhoneTransfers.class);

    private final CallControl callControl;
    private final RuntimeService runtime;
    private final AgentPlacedCalls placedCalls;
    private final Consultations consultations;

    PhoneTransfers(CallControl callControl, RuntimeService runtime, AgentPlacedCalls placedCalls,
            Consultations consultations) {
        this.callControl = callControl;
        this.runtime = runtime;
        this.placedCalls = placedCalls;
        this.consultations = consultations;
    }

    @EventListener
    void on(ReplacesTransferRequested event) {
        String callId = event.callId().value();
        ProcessInstance instance = runtime.createProcessInstanceQuery().processInstanceBusinessKey(callId).active()
                .listPage(0, 1).stream().findFirst().orElse(null);
        if (instance == null) {
            refuse(event, "403 The call has no running flow");
            return;
        }
        Map<String, Object> variables = runtime.getVariables(instance.getId());
        String agentId = text(variables.get("connectedAgent"));
        if (agentId == null || !event.transferorLeg().value().equals(text(variables.get(
                CallEventCorrelator.AGENT_LEG)))) {
            refuse(event, "403 Not the call's connected agent");
            return;
        }
        var handedOver = placedCalls.handOver(event.consultCallId(), agentId).orElse(null);
        if (handedOver == null) {
            refuse(event, "403 The replaced call is not this agent's answered consultation");
            return;
        }
        try {
            consultations.completedByPhone(event.callId(), agentId, text(variables.get("queue")),
                    event.transferorLeg(), event.targetLeg(), handedOver.target(), handedOver.calledAgent());
        } catch (CallCommandRefused refused) {
            // The consultation call is already handed over: it ends with the transfer's refusal, the caller stays.
            callControl.hangUp(event.consultCallId());
            refuse(event, "403 " + refused.getMessage());
            return;
        }
        callControl.bridge(event.callId(), event.targetLeg());
        callControl.completeReplacesTransfer(event.callId(), event.transferorLeg(), event.consultCallId(),
                event.targetLeg());
        log.info("Call {}: agent {} transferred the caller from the phone to {}", callId, agentId,
                handedOver.target());
    }

    private void refuse(ReplacesTransferRequested event, String statusLine) {
        log.info("Call {}: transfer from {}'s phone refused: {}", event.callId(), event.sipUser(), statusLine);
        callControl.refuseReplacesTransfer(event.callId(), statusLine);
    }

    private static String text(Object value) {
        return value == null || value.toString().isBlank() ? null : value.toString();
    }
}
