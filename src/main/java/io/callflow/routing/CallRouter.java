package io.callflow.routing;

/** Asks the current rule base where a call should go. */
public interface CallRouter {

    /** Evaluates the rules for the call; never returns null (a default queue applies when no rule decides). */
    RoutingDecision route(CallFacts call);
}
