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
    /**
     * A string variable is kept in a 4000-character column (ACT_RU_VARIABLE.TEXT_): a call consulted on dozens of
     * times (found by bench/transfer) would fail every later step. The trail keeps its newest lines within this.
     */
    static final int MAX_TRAIL = 3900;

    @Override
    public void execute(DelegateExecution execution) {
        String step = CallVariables.requiredText(execution, "transferStep");
        String detail = CallVariables.text(execution, "transferStepDetail", "");
        String trail = CallVariables.text(execution.getProcessInstance(), TRAIL, null);
        String line = detail.isEmpty() ? step : step + " " + detail;
        String all = trail == null ? line : trail + "\n" + line;
        while (all.length() > MAX_TRAIL) {
            int cut = all.indexOf('\n', all.startsWith("...\n") ? 4 : 0);
            if (cut < 0) {
                break;
            }
            all = "...\n" + all.substring(cut + 1);
        }
        execution.getProcessInstance().setVariable(TRAIL, all.length() > MAX_TRAIL ? all.substring(0, MAX_TRAIL)
                : all);
    }
}
