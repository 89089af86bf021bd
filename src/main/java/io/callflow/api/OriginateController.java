package io.callflow.api;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.callflow.acd.AgentView;
import io.callflow.acd.Agents;
import io.callflow.flow.CallCommandRefused;
import io.callflow.flow.OriginatedCalls;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Click-to-call: an agent's phone rings, and when the agent answers the number is dialled through the outbound trunk
 * and the two are connected. Administrators and supervisors may place a call for any agent, an agent only for itself.
 */
@RestController
@RequestMapping(Api.V1 + "/calls")
class OriginateController {

    private final OriginatedCalls originated;
    private final Agents agents;

    OriginateController(OriginatedCalls originated, Agents agents) {
        this.originated = originated;
        this.agents = agents;
    }

    @Operation(summary = "Place an outbound call for an agent (click-to-call)",
            description = "Body: `{\"agent\": \"alice\", \"number\": \"+4930123456\"}`. The agent's registered phone"
                    + " rings first (30 s); when it answers, the number is dialled through `callflow.sip.outbound-trunk`"
                    + " and bridged. Answers the new call's id at once (the record exists from now on, direction"
                    + " `outbound`); the agent is RESERVED, ON_CALL while talking, and released (wrap-up) after."
                    + " 404 unknown agent, 409 agent not available or no outbound trunk configured. An agent may place"
                    + " calls only as itself.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping("/originate")
    Map<String, Object> originate(@RequestBody(required = false) JsonNode body, Authentication user) {
        String agent = text(body, "agent");
        String number = text(body, "number");
        if (!number.matches("\\+?[0-9*#]{1,32}")) {
            throw new BadRequestException("'number' must be digits (optionally a leading +, * and #, at most 32)");
        }
        if (!Roles.isSupervisorOrAdmin(user) && !agent.equals(user.getName())) {
            throw new AccessDeniedException("An agent places calls only as itself");
        }
        AgentView found = agents.find(agent).orElseThrow(() -> new NotFoundException("There is no agent '" + agent
                + "'"));
        if (!originated.canDialOut()) {
            throw new ConflictException("No outbound trunk is configured (callflow.sip.outbound-trunk)");
        }
        String callId = originated.originate(found.id(), found.sipUser(), number, user.getName());
        return Map.of("callId", callId, "agent", agent, "number", number, "status", "RINGING_AGENT");
    }

    @ExceptionHandler(CallCommandRefused.class)
    ProblemDetail refused(CallCommandRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body == null ? null : body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new BadRequestException("The body must be {\"agent\": \"<agent id>\", \"number\": \"<number>\"}");
        }
        return value.asText().trim();
    }
}
