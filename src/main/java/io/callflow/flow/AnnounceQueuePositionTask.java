package io.callflow.flow;

import java.util.ArrayList;
import java.util.List;

import io.callflow.acd.CallDistributor;
import io.callflow.call.CallControl;
import org.camunda.bpm.engine.impl.pvm.delegate.ActivityExecution;
import org.springframework.stereotype.Component;

/**
 * Task type "Announce Queue Position": tells a waiting caller their place and the estimated wait, assembled from
 * number prompts, and waits until it has played so music resumes after it, not over it.
 */
@Component("announceQueuePosition")
class AnnounceQueuePositionTask extends AwaitingTask {

    private final CallDistributor distributor;
    private final CallControl callControl;

    AnnounceQueuePositionTask(CallDistributor distributor, CallControl callControl) {
        super(FlowMessages.PLAYBACK_FINISHED);
        this.distributor = distributor;
        this.callControl = callControl;
    }

    @Override
    protected Runnable start(ActivityExecution execution) {
        var callId = CallVariables.callId(execution);
        String language = CallVariables.text(execution, "language", "en");
        List<String> prompts = new ArrayList<>(List.of("please-hold"));
        distributor.position(callId).ifPresent(queued -> {
            execution.setVariable("position", queued.position());
            execution.setVariable("estimatedWaitSeconds", queued.estimatedWait().toSeconds());
            prompts.add("you-are-number");
            prompts.addAll(NumberPrompts.of(queued.position(), language));
            prompts.add("in-queue");
            long minutes = Math.max(1, Math.round(queued.estimatedWait().toSeconds() / 60.0));
            prompts.add("estimated-wait");
            prompts.addAll(NumberPrompts.minutes(minutes, language));
        });
        if (CallVariables.flag(execution, "callbackEnabled", false)) {
            // The queue offers callbacks: say how, after the wait (its key is a digit, read like a number).
            prompts.add("callback-in-queue");
            prompts.add(CallVariables.text(execution, "callbackKey", "5"));
        }
        return () -> callControl.play(callId, prompts, language, false);
    }
}
