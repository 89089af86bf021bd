package io.callflow.flow;

import java.time.Clock;

import io.callflow.call.CallControl;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/** Task type "Transfer": hands the caller to another number or SIP address (input {@code target}). */
@Component("transferCall")
class TransferDelegate implements JavaDelegate {

    private final CallControl callControl;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    TransferDelegate(CallControl callControl, ApplicationEventPublisher events, Clock clock) {
        this.callControl = callControl;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        String target = CallVariables.requiredText(execution, "target");
        events.publishEvent(new CallTransferred(callId, target, CallVariables.text(execution, "queue", null),
                CallVariables.text(execution, "connectedAgent", null), clock.instant()));
        AfterCommit.run(() -> callControl.transfer(callId, target));
    }
}
