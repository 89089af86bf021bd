package io.callflow.flow;

import io.callflow.acd.CallDistributor;
import io.callflow.acd.QueueExit;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** The call leaves its queue unconnected (input {@code reason}: a queue-log exit such as EXITWITHTIMEOUT). */
@Component("leaveQueue")
class LeaveQueueDelegate implements JavaDelegate {

    private final CallDistributor distributor;

    LeaveQueueDelegate(CallDistributor distributor) {
        this.distributor = distributor;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String reason = CallVariables.text(execution, "reason", QueueExit.EXITWITHTIMEOUT.name());
        QueueExit exit;
        try {
            exit = QueueExit.valueOf(reason);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Task '" + execution.getCurrentActivityId() + "': input 'reason' must"
                    + " be one of ABANDON, EXITWITHTIMEOUT, TRANSFER, not '" + reason + "'", e);
        }
        distributor.leave(CallVariables.callId(execution), exit);
        execution.removeVariable("agentId");
        execution.removeVariable("agentAddress");
    }
}
