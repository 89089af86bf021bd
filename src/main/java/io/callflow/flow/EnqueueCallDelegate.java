package io.callflow.flow;

import java.time.Clock;
import java.util.Date;

import io.callflow.acd.CallDistributor;
import io.callflow.acd.EnqueueRequest;
import io.callflow.acd.EnqueueResult;
import io.callflow.acd.QueueSettings;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task type "Enqueue and Wait" (entry): puts the call in {@code queue} with {@code priority} and the required skills,
 * or back in it after a missed offer. Sets {@code queueDeadline} (when the max wait passes, kept across re-queues),
 * {@code position}, {@code estimatedWaitSeconds} and the queue's ring timeout, music and announcement interval.
 * A refusing queue (closed, empty) is the business error {@code QueueRejected}.
 */
@Component("enqueueCall")
class EnqueueCallDelegate implements JavaDelegate {

    static final String QUEUE_DEADLINE = "queueDeadline";

    private final CallDistributor distributor;
    private final Clock clock;

    EnqueueCallDelegate(CallDistributor distributor, Clock clock) {
        this.distributor = distributor;
        this.clock = clock;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        String queue = CallVariables.requiredText(execution, "queue");
        var request = new EnqueueRequest(callId, queue, CallVariables.number(execution, "priority", 0),
                SkillList.parse(CallVariables.text(execution, "requiredSkills", "")),
                CallVariables.text(execution, "caller", ""));
        EnqueueResult result = distributor.enqueue(request);
        if (result instanceof EnqueueResult.Rejected rejected) {
            execution.setVariable("queueRejectedReason", rejected.reason());
            throw new BpmnError("QueueRejected", rejected.reason());
        }
        var queued = (EnqueueResult.Queued) result;
        QueueSettings settings = distributor.settings(queue);
        if (execution.getVariable(QUEUE_DEADLINE) == null) {
            execution.setVariable(QUEUE_DEADLINE, Date.from(clock.instant().plus(settings.maxWait())));
        }
        execution.setVariable("position", queued.position());
        execution.setVariable("estimatedWaitSeconds", queued.estimatedWait().toSeconds());
        execution.setVariable("ringTimeout", settings.ringTimeout().toString());
        execution.setVariable("announceInterval", settings.announceInterval().toString());
        execution.setVariable("musicClass", settings.musicClass());
    }
}
