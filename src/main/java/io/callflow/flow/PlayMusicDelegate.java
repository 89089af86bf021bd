package io.callflow.flow;

import io.callflow.call.CallControl;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task type "Play Music": loops music on hold ({@code musicClass}, default {@code default}) until the next prompt. */
@Component("playMusic")
class PlayMusicDelegate implements JavaDelegate {

    private final CallControl callControl;

    PlayMusicDelegate(CallControl callControl) {
        this.callControl = callControl;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        String musicClass = CallVariables.text(execution, "musicClass", "default");
        AfterCommit.run(() -> callControl.playMusic(callId, musicClass));
    }
}
