package io.callflow.flow;

import io.callflow.call.CallControl;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task type "Record": starts or stops recording the call (input {@code action}: {@code start} or {@code stop}). */
@Component("recordCall")
class RecordDelegate implements JavaDelegate {

    private final CallControl callControl;

    RecordDelegate(CallControl callControl) {
        this.callControl = callControl;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        String action = CallVariables.text(execution, "action", "start");
        switch (action) {
            case "start" -> AfterCommit.run(() -> callControl.startRecording(callId));
            case "stop" -> AfterCommit.run(() -> callControl.stopRecording(callId));
            default -> throw new IllegalArgumentException("Task '" + execution.getCurrentActivityId()
                    + "': input 'action' must be 'start' or 'stop', not '" + action + "'");
        }
    }
}
