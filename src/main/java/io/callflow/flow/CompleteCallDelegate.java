package io.callflow.flow;

import io.callflow.acd.CallDistributor;
import io.callflow.call.CallControl;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * A connected call is over: the agent goes to wrap-up (queue log COMPLETE) and, unless input {@code hangUp} is
 * false (after a transfer), the remaining legs are hung up.
 */
@Component("completeCall")
class CompleteCallDelegate implements JavaDelegate {

    private final CallDistributor distributor;
    private final CallControl callControl;

    CompleteCallDelegate(CallDistributor distributor, CallControl callControl) {
        this.distributor = distributor;
        this.callControl = callControl;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        distributor.completed(callId, CallVariables.requiredText(execution, "connectedAgent"));
        if (CallVariables.flag(execution, "hangUp", true)) {
            AfterCommit.run(() -> callControl.hangUp(callId));
        }
    }
}
