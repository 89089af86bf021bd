package io.callflow.flow;

import org.camunda.bpm.engine.impl.bpmn.behavior.AbstractBpmnActivityBehavior;
import org.camunda.bpm.engine.impl.pvm.delegate.ActivityExecution;

/**
 * A task type that sends a call-control command and waits, on the same BPMN element, for the call event that answers
 * it, so an analyst models "Menu" or "Offer to Agent" as one task from a template. The element's
 * {@code camunda:delegateExpression} names the bean; Camunda runs it as the activity's behaviour and the
 * {@link CallEventCorrelator} resumes it by signal, finding it by the local variable {@link #AWAITING}.
 */
abstract class AwaitingTask extends AbstractBpmnActivityBehavior {

    static final String AWAITING = "awaiting";

    private final String awaitedEvent;

    AwaitingTask(String awaitedEvent) {
        this.awaitedEvent = awaitedEvent;
    }

    @Override
    public void execute(ActivityExecution execution) throws Exception {
        execution.setVariableLocal(AWAITING, awaitedEvent);
        AfterCommit.run(start(execution));
    }

    /** Reads the task's inputs now and returns the command to send once the wait is committed. */
    protected abstract Runnable start(ActivityExecution execution);

    @Override
    public void signal(ActivityExecution execution, String signalName, Object signalData) throws Exception {
        execution.removeVariableLocal(AWAITING);
        leave(execution);
    }
}
