package io.callflow.api;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callflow.acd.AdministrationRefused;
import io.callflow.acd.AgentDialPlanDocument;
import io.callflow.acd.AgentDialPlans;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The agents' dial plan (extensions, queue numbers, outside-number routes, feature codes), read and replaced by
 * administrators; a dial plan the provisioning file declares is read-only here (409).
 */
@RestController
class DialPlanController {

    private final AgentDialPlans dialPlans;

    DialPlanController(AgentDialPlans dialPlans) {
        this.dialPlans = dialPlans;
    }

    /** The dial plan with who manages it ({@code file}, {@code api}, or null when never set) and the features known. */
    record DialPlanView(String managedBy, List<String> availableFeatures, AgentDialPlanDocument dialPlan) {
    }

    @Operation(summary = "The agents' dial plan", description = "Role: ADMIN. The dial plan in force, who manages it"
            + " and the feature names its feature codes may use.")
    @PreAuthorize("hasRole('ADMIN')")
    @GetMapping(Api.V1 + "/dialplan")
    DialPlanView get() {
        return new DialPlanView(dialPlans.managedBy().orElse(null), dialPlans.featureNames().stream().sorted()
                .toList(), dialPlans.current());
    }

    @Operation(summary = "Replace the agents' dial plan", description = "Role: ADMIN. The body is the dial plan (the"
            + " `dialPlan` object of GET, or the provisioning file's `dialPlan:` in JSON), validated as a whole:"
            + " 400 with what is wrong, 409 while the provisioning file declares the dial plan.")
    @PreAuthorize("hasRole('ADMIN')")
    @PutMapping(Api.V1 + "/dialplan")
    DialPlanView put(@RequestBody JsonNode body) {
        // GET's whole answer may be sent back as it is.
        JsonNode plan = body instanceof ObjectNode object && object.has("dialPlan") ? object.get("dialPlan") : body;
        try {
            dialPlans.replace(plan);
        } catch (AdministrationRefused e) {
            throw new ConflictException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("dial plan: " + e.getMessage());
        }
        return get();
    }
}
