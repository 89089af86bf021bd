package io.callflow.flow;

import io.callflow.call.CallControl;
import io.callflow.call.LegId;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task type "Bridge": connects the caller's audio with the answered agent leg ({@code agentLeg}). */
@Component("bridgeCall")
class BridgeDelegate implements JavaDelegate {

    private final CallControl callControl;

    BridgeDelegate(CallControl callControl) {
        this.callControl = callControl;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        var agentLeg = new LegId(CallVariables.requiredText(execution, CallEventCorrelator.AGENT_LEG));
        AfterCommit.run(() -> callControl.bridge(callId, agentLeg));
    }
}
