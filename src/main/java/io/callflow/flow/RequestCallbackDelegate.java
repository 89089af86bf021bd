package io.callflow.flow;

import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * The waiting caller asked to be called back on {@code callbackNumber} (when given) or the number they call from: a
 * callback takes their place in the queue ({@code callbackId}). BPMN error {@code CallbackRefused} when the call no
 * longer waits (an agent was reserved for it meanwhile) or no number is known.
 */
@Component("requestCallback")
class RequestCallbackDelegate implements JavaDelegate {

    static final String REFUSED = "CallbackRefused";

    private final Callbacks callbacks;

    RequestCallbackDelegate(Callbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String number = CallVariables.text(execution, "callbackNumber", CallVariables.text(execution, "caller", null));
        if (number == null || !number.matches("\\+?[0-9]{3,20}")) {
            throw new BpmnError(REFUSED, "no number to call back: " + number);
        }
        String callbackId = callbacks.request(CallVariables.callId(execution), number,
                CallVariables.text(execution, "language", "en"))
                .orElseThrow(() -> new BpmnError(REFUSED, "the call no longer waits in its queue"));
        execution.setVariable("callbackId", callbackId);
        execution.setVariable("callbackNumber", number);
    }
}
