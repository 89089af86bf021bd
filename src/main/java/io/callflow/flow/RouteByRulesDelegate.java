package io.callflow.flow;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

import io.callflow.acd.BusinessCalendars;
import io.callflow.routing.CallFacts;
import io.callflow.routing.CallRouter;
import io.callflow.routing.RoutingDecision;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Task type "Route by Rules": asks the rule base where the call goes and writes the decision as readable variables:
 * {@code queue}, {@code priority}, {@code requiredSkills} ({@code skill:level,...}), {@code overflowChain},
 * {@code closed} and {@code routingRules} (the rules that fired, for the supervisor and the call record).
 */
@Component("routeByRules")
class RouteByRulesDelegate implements JavaDelegate {

    private final CallRouter router;
    private final Clock clock;
    private final ZoneId zone;

    private final BusinessCalendars calendars;

    RouteByRulesDelegate(CallRouter router, Clock clock, @Value("${callflow.routing.zone:UTC}") ZoneId zone,
            BusinessCalendars calendars) {
        this.calendars = calendars;
        this.router = router;
        this.clock = clock;
        this.zone = zone;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String menuChoice = CallVariables.text(execution, "menuChoice", null);
        var facts = new CallFacts(execution.getProcessBusinessKey(), CallVariables.text(execution, "caller", ""),
                CallVariables.text(execution, "did", ""), menuChoice == null ? List.of() : List.of(menuChoice),
                CallVariables.text(execution, "language", "en"),
                CallVariables.text(execution, "customerTier", "standard"), ZonedDateTime.now(clock.withZone(zone)));
        // The number's business calendar, a fact for the rules (rules/business-hours.drl): hours are data, not DRL.
        RoutingDecision decision = router.route(facts, calendars.forNumber(facts.did(), clock.instant()).stream()
                .toList());
        execution.setVariable("queue", decision.queue());
        execution.setVariable("priority", decision.priority());
        execution.setVariable("requiredSkills", SkillList.format(decision.requiredSkills()));
        execution.setVariable("overflowChain", String.join(",", decision.overflowChain()));
        execution.setVariable("closed", decision.closed());
        execution.setVariable("routingRules", String.join(", ", decision.firedRules()));
    }
}
