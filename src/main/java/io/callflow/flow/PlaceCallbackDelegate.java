package io.callflow.flow;

import java.time.Duration;

import io.callflow.acd.CallDistributor;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * An agent was reserved for the callback: an attempt starts (the agent's phone rings, then the customer is dialled);
 * {@code attempts} counts them. How it ends arrives as the message {@code CallbackAttempted}.
 */
@Component("placeCallback")
class PlaceCallbackDelegate implements JavaDelegate {

    private final Callbacks callbacks;
    private final CallDistributor distributor;

    PlaceCallbackDelegate(Callbacks callbacks, CallDistributor distributor) {
        this.callbacks = callbacks;
        this.distributor = distributor;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String queue = CallVariables.requiredText(execution, "queue");
        Duration ring = distributor.settings(queue).ringTimeout();
        int attempt = callbacks.attempt(execution.getProcessBusinessKey(),
                CallVariables.requiredText(execution, "agentId"), CallVariables.requiredText(execution, "agentAddress"),
                CallVariables.requiredText(execution, "number"),
                !"customer-first".equals(CallVariables.text(execution, "order", "agent-first")), ring);
        execution.setVariable("attempts", attempt);
    }
}
