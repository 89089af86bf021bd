package io.callflow.flow;

import java.time.Duration;

import io.callflow.acd.CallDistributor;
import io.callflow.call.AgentLegOutcome;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * After an agent did not take the call: tells the ACD (the agent is marked, perhaps auto-paused), counts the attempt
 * ({@code offerAttempts}) and decides whether to retry ({@code retryAllowed}, at most {@code maxAttempts}) after an
 * exponential backoff ({@code retryBackoff} = {@code backoffBase} x 2^(attempt-1)) with the priority raised by
 * {@code priorityBoost}, so the caller does not lose their place to newer calls.
 */
@Component("offerFailed")
class OfferFailedDelegate implements JavaDelegate {

    private final CallDistributor distributor;

    OfferFailedDelegate(CallDistributor distributor) {
        this.distributor = distributor;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String agentId = CallVariables.requiredText(execution, "agentId");
        var outcome = AgentLegOutcome.valueOf(CallVariables.requiredText(execution, FlowMessages.AGENT_OUTCOME));
        distributor.offerFailed(CallVariables.callId(execution), agentId, outcome);

        int attempts = CallVariables.number(execution, "offerAttempts", 0) + 1;
        int maxAttempts = CallVariables.number(execution, "maxAttempts", 3);
        Duration base = CallVariables.duration(execution, "backoffBase", Duration.ofSeconds(1));
        execution.setVariable("offerAttempts", attempts);
        execution.setVariable("retryAllowed", attempts < maxAttempts);
        execution.setVariable("retryBackoff", base.multipliedBy(1L << Math.min(attempts - 1, 10)).toString());
        execution.setVariable("priority", CallVariables.number(execution, "priority", 0)
                + CallVariables.number(execution, "priorityBoost", 10));
        execution.removeVariable("agentId");
        execution.removeVariable("agentAddress");
    }
}
