package io.callflow.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Moves the call on to the next queue of the rules' overflow chain ({@code overflowChain}); {@code overflowQueue}
 * tells the next gateway whether there was one. The new queue gets its own max wait.
 */
@Component("nextOverflowQueue")
class NextOverflowQueueDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        List<String> chain = new ArrayList<>(Arrays.stream(CallVariables.text(execution, "overflowChain", "").split(","))
                .map(String::trim).filter(queue -> !queue.isEmpty()).toList());
        boolean hasNext = !chain.isEmpty();
        execution.setVariable("overflowQueue", hasNext);
        if (hasNext) {
            execution.setVariable("queue", chain.remove(0));
            execution.setVariable("overflowChain", String.join(",", chain));
            execution.setVariable("offerAttempts", 0);
            execution.removeVariable(EnqueueCallDelegate.QUEUE_DEADLINE);
        }
    }
}
