package io.callflow.flow;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** The callback is over (input {@code state}: COMPLETED, FAILED or EXPIRED), recorded with its queue-log event. */
@Component("finishCallback")
class FinishCallbackDelegate implements JavaDelegate {

    private final Callbacks callbacks;

    FinishCallbackDelegate(Callbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public void execute(DelegateExecution execution) {
        callbacks.finish(execution.getProcessBusinessKey(), CallVariables.requiredText(execution, "state"));
    }
}
