package io.callflow.flow;

import java.time.Duration;

import io.callflow.acd.CallDistributor;
import io.callflow.call.CallControl;
import io.callflow.call.LegId;
import org.camunda.bpm.engine.impl.pvm.delegate.ActivityExecution;
import org.springframework.stereotype.Component;

/**
 * Task type "Offer to Agent": rings the reserved agent ({@code agentAddress}, the agent's SIP user) on a new leg ({@code agentLeg}) and waits
 * for the outcome in {@code agentOutcome}: {@code ANSWERED}, or why not (busy, ring timeout, ...). The ring timeout
 * ({@code ringTimeout}) runs in the call layer.
 */
@Component("offerToAgent")
class OfferToAgentTask extends AwaitingTask {

    private final CallControl callControl;
    private final CallDistributor distributor;

    OfferToAgentTask(CallControl callControl, CallDistributor distributor) {
        super(FlowMessages.AGENT_LEG_RESULT);
        this.callControl = callControl;
        this.distributor = distributor;
    }

    @Override
    protected Runnable start(ActivityExecution execution) {
        var callId = CallVariables.callId(execution);
        String agentAddress = CallVariables.requiredText(execution, "agentAddress");
        Duration ringTimeout = CallVariables.duration(execution, "ringTimeout", Duration.ofSeconds(15));
        String agentId = CallVariables.text(execution, "agentId", null);
        if (agentId != null) {
            // The agent came from the ACD (not a fixed address): it is ringing now, not just reserved.
            distributor.offerRinging(callId, agentId);
        }
        var leg = LegId.random();
        execution.setVariable(CallEventCorrelator.AGENT_LEG, leg.value());
        execution.removeVariable(FlowMessages.AGENT_OUTCOME);
        return () -> callControl.dialAgent(callId, leg, agentAddress, ringTimeout);
    }
}
