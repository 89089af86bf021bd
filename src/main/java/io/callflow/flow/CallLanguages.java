package io.callflow.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The process variables behind a call's language: {@code language} (what prompts, announcements and the routing
 * rules use), and for a number offering several languages {@code languages} (menu order) and
 * {@code languageMenuPrompts}, which each language announces in its own voice ("de:for-this-language", "de:2").
 * A number with one language sets nothing else, so its calls cost no extra variables.
 */
final class CallLanguages {

    static final String LANGUAGE = "language";
    static final String LANGUAGES = "languages";
    static final String MENU_PROMPTS = "languageMenuPrompts";

    private CallLanguages() {
    }

    /** The variables a call starts with, given the languages its number offers (never empty, default first). */
    static void atStart(Map<String, Object> variables, List<String> offered) {
        variables.put(LANGUAGE, offered.get(0));
        if (offered.size() > 1) {
            variables.put(LANGUAGES, String.join(",", offered));
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < offered.size(); i++) {
                String language = offered.get(i);
                prompts.add(language + ":for-this-language");
                prompts.add(language + ":" + (i + 1));
            }
            variables.put(MENU_PROMPTS, String.join(",", prompts));
        }
    }

    /** The language chosen by {@code key} among {@code languages} ("en,de,fr"); the first for no key or another. */
    static String chosen(String languages, String key) {
        List<String> offered = Arrays.stream(languages.split(",")).map(String::trim).filter(l -> !l.isEmpty())
                .toList();
        if (key != null && key.length() == 1 && key.charAt(0) >= '1' && key.charAt(0) - '1' < offered.size()) {
            return offered.get(key.charAt(0) - '1');
        }
        return offered.get(0);
    }
}
