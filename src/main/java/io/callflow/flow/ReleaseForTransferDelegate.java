package io.callflow.flow;

import io.callflow.acd.CallDistributor;
import io.callflow.acd.QueueExit;
import io.callflow.call.CallControl;
import io.callflow.call.LegId;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task type "Release for transfer": before an operator's blind transfer, the call lets go of the ACD wherever it is.
 * A connected agent goes to wrap-up (queue log COMPLETE); otherwise the call leaves its queue (TRANSFER), releasing a
 * reserved agent, and a ringing agent leg is cancelled. The caller's leg stays up for the transfer.
 */
@Component("releaseForTransfer")
class ReleaseForTransferDelegate implements JavaDelegate {

    private final CallDistributor distributor;
    private final CallControl callControl;

    ReleaseForTransferDelegate(CallDistributor distributor, CallControl callControl) {
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
            return;
        }
        distributor.leave(callId, QueueExit.TRANSFER);
        if (agentLeg != null) {
            AfterCommit.run(() -> callControl.cancelAgentLeg(callId, new LegId(agentLeg)));
        }
    }
}
