package io.callflow.flow;

import io.callflow.call.CallControl;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task type "Answer Call": answers the caller's leg (200 OK) so prompts can play. */
@Component("answerCall")
class AnswerCallDelegate implements JavaDelegate {

    private final CallControl callControl;

    AnswerCallDelegate(CallControl callControl) {
        this.callControl = callControl;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        AfterCommit.run(() -> callControl.answer(callId));
    }
}
