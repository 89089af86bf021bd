package io.callflow.flow;

import java.util.Arrays;
import java.util.List;

import io.callflow.call.CallControl;
import org.camunda.bpm.engine.impl.pvm.delegate.ActivityExecution;
import org.springframework.stereotype.Component;

/**
 * Task type "Play Prompt and Wait": plays prompts (input {@code prompts}) and waits until they have played, e.g.
 * before hanging up, so the caller hears the goodbye in full.
 */
@Component("playPromptAndWait")
class PlayPromptAndWaitTask extends AwaitingTask {

    private final CallControl callControl;

    PlayPromptAndWaitTask(CallControl callControl) {
        super(FlowMessages.PLAYBACK_FINISHED);
        this.callControl = callControl;
    }

    @Override
    protected Runnable start(ActivityExecution execution) {
        var callId = CallVariables.callId(execution);
        List<String> prompts = Arrays.stream(CallVariables.requiredText(execution, "prompts").split(","))
                .map(String::trim).filter(name -> !name.isEmpty()).toList();
        String language = CallVariables.text(execution, "language", "en");
        boolean bargeIn = CallVariables.flag(execution, "bargeIn", false);
        return () -> callControl.play(callId, prompts, language, bargeIn);
    }
}
