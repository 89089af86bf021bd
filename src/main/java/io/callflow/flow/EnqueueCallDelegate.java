package io.callflow.flow;

import java.time.Clock;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.callflow.acd.CallDistributor;
import io.callflow.acd.EnqueueRequest;
import io.callflow.acd.EnqueueResult;
import io.callflow.acd.CallbackSettings;
import io.callflow.acd.QueueSettings;
import io.callflow.acd.QueuedCallbacks;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.springframework.stereotype.Component;

/**
 * Task type "Enqueue and Wait" (entry): puts the call in {@code queue} with {@code priority} and the required skills,
 * or back in it after a missed offer. Sets {@code queueDeadline} (when the max wait passes, kept across re-queues),
 * {@code position}, {@code estimatedWaitSeconds} and the queue's ring timeout, music and announcement interval.
 * A refusing queue (closed, empty) is the business error {@code QueueRejected}. With the element property
 * {@code offerAtOnce=true}, a call that finds a qualified agent free and nobody ahead of it gets that agent at once:
 * {@code agentReserved} is true and {@code agentId}/{@code agentAddress} are set, so the flow can go straight to the
 * offer, and the waiting-only variables (position, estimate, music, announcement interval) are not set; otherwise
 * {@code agentReserved} is false and the call waits for the {@code AgentReserved} message.
 */
@Component("enqueueCall")
class EnqueueCallDelegate implements JavaDelegate {

    static final String QUEUE_DEADLINE = "queueDeadline";
    static final String AGENT_RESERVED = "agentReserved";
    /** The element's {@code camunda:property} that asks for a free agent to be reserved within the enqueue. */
    static final String OFFER_AT_ONCE = "offerAtOnce";

    private final CallDistributor distributor;
    private final Clock clock;
    // A deployed definition never changes, so its elements' properties are read from the model once: looking the
    // model up per call loaded and walked the whole BPMN every time (measured: a third of the enqueue's CPU).
    private final Map<String, Boolean> offerAtOnceByElement = new ConcurrentHashMap<>();

    private final QueuedCallbacks callbacks;

    EnqueueCallDelegate(CallDistributor distributor, Clock clock, QueuedCallbacks callbacks) {
        this.callbacks = callbacks;
        this.distributor = distributor;
        this.clock = clock;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        String queue = CallVariables.requiredText(execution, "queue");
        var request = new EnqueueRequest(callId, queue, CallVariables.number(execution, "priority", 0),
                SkillList.parse(CallVariables.text(execution, "requiredSkills", "")),
                CallVariables.text(execution, "caller", ""), offerAtOnceByElement.computeIfAbsent(
                        execution.getProcessDefinitionId() + '/' + execution.getCurrentActivityId(),
                        element -> offerAtOnce(execution)));
        EnqueueResult result = distributor.enqueue(request);
        if (result instanceof EnqueueResult.Rejected rejected) {
            execution.setVariable("queueRejectedReason", rejected.reason());
            throw new BpmnError("QueueRejected", rejected.reason());
        }
        QueueSettings settings = distributor.settings(queue);
        if (execution.getVariable(QUEUE_DEADLINE) == null) {
            execution.setVariable(QUEUE_DEADLINE, Date.from(clock.instant().plus(settings.maxWait())));
        }
        execution.setVariable("ringTimeout", settings.ringTimeout().toString());
        if (result instanceof EnqueueResult.Reserved reserved) {
            // Straight to the offer: position, music and announcements are for calls that wait, and every variable
            // is rows written and deleted again per call.
            execution.setVariable(AGENT_RESERVED, true);
            execution.setVariable("agentId", reserved.agentId());
            execution.setVariable("agentAddress", reserved.sipUser());
            return;
        }
        var queued = (EnqueueResult.Queued) result;
        execution.setVariable(AGENT_RESERVED, false);
        execution.setVariable("position", queued.position());
        execution.setVariable("estimatedWaitSeconds", queued.estimatedWait().toSeconds());
        execution.setVariable("announceInterval", settings.announceInterval().toString());
        execution.setVariable("musicClass", settings.musicClass());
        CallbackSettings callback = callbacks.settings(queue);
        if (callback.enabled()) {
            // Only a queue that offers callbacks gets the variables (and the wait's listening branch).
            execution.setVariable("callbackEnabled", true);
            execution.setVariable("callbackKey", callback.key());
        } else if (execution.hasVariable("callbackEnabled")) {
            execution.setVariable("callbackEnabled", false);
        }
    }

    private static boolean offerAtOnce(DelegateExecution execution) {
        var element = execution.getBpmnModelElementInstance();
        var extensions = element == null ? null : element.getExtensionElements();
        if (extensions == null) {
            return false;
        }
        return extensions.getElementsQuery().filterByType(CamundaProperties.class).list().stream()
                .flatMap(properties -> properties.getCamundaProperties().stream())
                .anyMatch(property -> OFFER_AT_ONCE.equals(property.getCamundaName())
                        && "true".equalsIgnoreCase(property.getCamundaValue()));
    }
}
