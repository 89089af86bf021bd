package io.callflow.flow;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Sets the call's {@code language} from the key pressed in the language menu before it ({@code digits}): key 1 is the
 * number's first language, 2 its second; no key or another key keeps the default. Prompts and the routing rules
 * (the language-skill rule) follow the variable from here on.
 */
@Component("setLanguage")
class SetLanguageDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        String languages = CallVariables.text(execution, CallLanguages.LANGUAGES, null);
        if (languages == null) {
            return; // a number with one language: its default is already set
        }
        execution.setVariable(CallLanguages.LANGUAGE,
                CallLanguages.chosen(languages, CallVariables.text(execution, "digits", null)));
    }
}
