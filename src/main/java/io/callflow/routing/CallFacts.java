package io.callflow.routing;

import java.time.ZonedDateTime;
import java.util.List;

/**
 * What the rules know about a call when it is routed: who calls, which number, what was chosen in the menus, the
 * caller's language and customer tier, and the local time at the call centre.
 */
public record CallFacts(String callId, String caller, String did, List<String> menuChoices, String language,
        String customerTier, ZonedDateTime at) {
}
