package io.callflow.flow;

import io.callflow.acd.CallDistributor;
import io.callflow.acd.QueueExit;
import io.callflow.call.CallControl;
import io.callflow.call.LegId;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * The caller hung up, wherever the call was: a connected agent goes to wrap-up; otherwise the call leaves its queue
 * as abandoned (releasing a reserved or ringing agent) and a ringing agent leg is cancelled. Both ACD calls are
 * idempotent, so a hang-up that races an answer leaves no agent reserved.
 */
@Component("cleanUpCall")
class CleanUpCallDelegate implements JavaDelegate {

    private final CallDistributor distributor;
    private final CallControl callControl;

    CleanUpCallDelegate(CallDistributor distributor, CallControl callControl) {
        this.distributor = distributor;
        this.callControl = callControl;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        String connectedAgent = CallVariables.text(execution, "connectedAgent", null);
        String agentLeg = CallVariables.text(execution, CallEventCorrelator.AGENT_LEG, null);
        if (connectedAgent != null) {
            distributor.completed(callId, connectedAgent);
        } else {
            distributor.leave(callId, QueueExit.ABANDON);
        }
        AfterCommit.run(() -> {
            if (agentLeg != null && connectedAgent == null) {
                callControl.cancelAgentLeg(callId, new LegId(agentLeg));
            }
            callControl.hangUp(callId);
        });
    }
}
