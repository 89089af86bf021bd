package io.callflow.flow;

import io.callflow.call.CallControl;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task type "Transfer": hands the caller to another number or SIP address (input {@code target}). */
@Component("transferCall")
class TransferDelegate implements JavaDelegate {

    private final CallControl callControl;

    TransferDelegate(CallControl callControl) {
        this.callControl = callControl;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        String target = CallVariables.requiredText(execution, "target");
        AfterCommit.run(() -> callControl.transfer(callId, target));
    }
}
