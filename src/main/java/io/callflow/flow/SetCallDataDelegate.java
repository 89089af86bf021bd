package io.callflow.flow;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task type "Set Call Data": stores a value (input {@code value}, an expression allowed) under a call variable
 * (input {@code name}) that later rules and Cockpit see, e.g. a customer tier or a language chosen in a menu.
 */
@Component("setCallData")
class SetCallDataDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        String name = CallVariables.requiredText(execution, "name");
        execution.setVariable(name, execution.getVariable("value"));
    }
}
