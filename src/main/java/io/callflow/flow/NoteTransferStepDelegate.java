package io.callflow.flow;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task type "Note transfer step": appends the step a {@code TransferStep} message brought ({@code transferStep},
 * {@code transferStepDetail}) to the call's {@code transferTrail} variable, so Cockpit shows who consulted whom and how
 * it ended, in order.
 */
@Component("noteTransferStep")
class NoteTransferStepDelegate implements JavaDelegate {

    static final String TRAIL = "transferTrail";

    @Override
    public void execute(DelegateExecution execution) {
        String step = CallVariables.requiredText(execution, "transferStep");
        String detail = CallVariables.text(execution, "transferStepDetail", "");
        String trail = CallVariables.text(execution.getProcessInstance(), TRAIL, null);
        String line = detail.isEmpty() ? step : step + " " + detail;
        execution.getProcessInstance().setVariable(TRAIL, trail == null ? line : trail + "\n" + line);
    }
}
