package io.callflow.flow;

import io.callflow.call.CallControl;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task type "Record": starts or stops recording the call (input {@code action}: {@code start} or {@code stop}). A start
 * follows the queue's recording policy ({@link CallRecordings#startFromFlow}): only {@code always} records here, with
 * the consent announcement first where the queue asks for it.
 */
@Component("recordCall")
class RecordDelegate implements JavaDelegate {

    private final CallControl callControl;
    private final CallRecordings recordings;

    RecordDelegate(CallControl callControl, CallRecordings recordings) {
        this.callControl = callControl;
        this.recordings = recordings;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        String action = CallVariables.text(execution, "action", "start");
        switch (action) {
            case "start" -> recordings.startFromFlow(callId, CallVariables.text(execution, "queue", null),
                    CallVariables.text(execution, CallLanguages.LANGUAGE, null));
            case "stop" -> AfterCommit.run(() -> callControl.stopRecording(callId));
            default -> throw new IllegalArgumentException("Task '" + execution.getCurrentActivityId()
                    + "': input 'action' must be 'start' or 'stop', not '" + action + "'");
        }
    }
}
