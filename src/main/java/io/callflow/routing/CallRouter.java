package io.callflow.routing;

import java.util.List;

/** Asks the current rule base where a call should go. */
public interface CallRouter {

    /** Evaluates the rules for the call; never returns null (a default queue applies when no rule decides). */
    default RoutingDecision route(CallFacts call) {
        return route(call, List.of());
    }

    /**
     * Evaluates the rules for the call with further facts beside it (such as the number's {@link CalendarStatus});
     * never returns null.
     */
    RoutingDecision route(CallFacts call, List<?> more);
}
