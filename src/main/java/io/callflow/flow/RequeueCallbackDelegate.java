package io.callflow.flow;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** The callback waits for its place again, at the caller's original enqueue time. */
@Component("requeueCallback")
class RequeueCallbackDelegate implements JavaDelegate {

    private final Callbacks callbacks;

    RequeueCallbackDelegate(Callbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public void execute(DelegateExecution execution) {
        callbacks.requeue(execution.getProcessBusinessKey());
        execution.removeVariable("agentId");
        execution.removeVariable("agentAddress");
    }
}
