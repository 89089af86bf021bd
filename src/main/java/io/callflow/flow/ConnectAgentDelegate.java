package io.callflow.flow;

import java.time.Clock;
import java.util.Date;

import io.callflow.acd.CallDistributor;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Marks the answering agent ON_CALL (queue log CONNECT) and remembers who took the call and when. */
@Component("connectAgent")
class ConnectAgentDelegate implements JavaDelegate {

    private final CallDistributor distributor;
    private final Clock clock;

    ConnectAgentDelegate(CallDistributor distributor, Clock clock) {
        this.distributor = distributor;
        this.clock = clock;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String agentId = CallVariables.requiredText(execution, "agentId");
        distributor.offerAnswered(CallVariables.callId(execution), agentId);
        execution.setVariable("connectedAgent", agentId);
        execution.setVariable("connectedAt", Date.from(clock.instant()));
    }
}
