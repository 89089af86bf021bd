package io.callflow.flow;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.callflow.call.CallControl;
import io.callflow.call.CallControl.DigitCollection;
import org.camunda.bpm.engine.impl.pvm.delegate.ActivityExecution;
import org.springframework.stereotype.Component;

/**
 * Task type "Menu / Collect Digits": collects up to {@code maxDigits} digits (ended early by {@code terminator}) and
 * waits; the digits land in {@code digits}, empty for no input. Timeouts run in the call layer, where they are exact.
 * Optional {@code prompts} play first with barge-in (the menu announcement); {@code attemptsVariable} names a
 * counter of how often the task ran, so a flow can give up after a number of tries.
 */
@Component("collectDigits")
class CollectDigitsTask extends AwaitingTask {

    private final CallControl callControl;

    CollectDigitsTask(CallControl callControl) {
        super(FlowMessages.DIGITS_COLLECTED);
        this.callControl = callControl;
    }

    @Override
    protected Runnable start(ActivityExecution execution) {
        var callId = CallVariables.callId(execution);
        String terminator = CallVariables.text(execution, "terminator", null);
        var spec = new DigitCollection(
                CallVariables.number(execution, "maxDigits", 1),
                terminator == null ? null : terminator.charAt(0),
                CallVariables.duration(execution, "firstDigitTimeout", Duration.ofSeconds(5)),
                CallVariables.duration(execution, "interDigitTimeout", Duration.ofSeconds(3)));
        String attempts = CallVariables.text(execution, "attemptsVariable", null);
        if (attempts != null) {
            execution.setVariable(attempts, CallVariables.number(execution, attempts, 0) + 1);
        }
        List<String> prompts = Arrays.stream(CallVariables.text(execution, "prompts", "").split(","))
                .map(String::trim).filter(name -> !name.isEmpty()).toList();
        String language = CallVariables.text(execution, "language", "en");
        return () -> {
            if (!prompts.isEmpty()) {
                callControl.play(callId, prompts, language, true);
            }
            callControl.collectDigits(callId, spec);
        };
    }
}
