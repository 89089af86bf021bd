package io.callflow.flow;

import java.util.Arrays;
import java.util.List;

import io.callflow.call.CallControl;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task type "Play Prompt": queues one or more prompts (input {@code prompts}, comma-separated names under
 * {@code prompts/<language>/}) on the caller's leg and moves on; a following wait can listen for PlaybackFinished.
 */
@Component("playPrompt")
class PlayPromptDelegate implements JavaDelegate {

    private final CallControl callControl;

    PlayPromptDelegate(CallControl callControl) {
        this.callControl = callControl;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        List<String> prompts = Arrays.stream(CallVariables.requiredText(execution, "prompts").split(","))
                .map(String::trim).filter(name -> !name.isEmpty()).toList();
        String language = CallVariables.text(execution, "language", "en");
        boolean bargeIn = CallVariables.flag(execution, "bargeIn", false);
        AfterCommit.run(() -> callControl.play(callId, prompts, language, bargeIn));
    }
}
