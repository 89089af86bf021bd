package io.callflow.flow;

import io.callflow.call.CallControl;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task type "Hang Up": ends the call once the prompts already queued have played. */
@Component("hangUpCall")
class HangUpDelegate implements JavaDelegate {

    private final CallControl callControl;

    HangUpDelegate(CallControl callControl) {
        this.callControl = callControl;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        AfterCommit.run(() -> callControl.hangUp(callId));
    }
}
