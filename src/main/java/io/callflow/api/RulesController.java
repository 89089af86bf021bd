package io.callflow.api;

import io.callflow.routing.RuleBase;
import io.callflow.routing.RuleStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The live routing rule base and, when the latest edit of {@code rules/} was rejected, its file:line errors. */
@RestController
@RequestMapping(Api.V1 + "/rules")
class RulesController {

    private final RuleBase ruleBase;

    RulesController(RuleBase ruleBase) {
        this.ruleBase = ruleBase;
    }

    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @GetMapping
    RuleStatus status() {
        return ruleBase.status();
    }
}
