package io.callflow.api;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.callflow.acd.Administration;
import io.callflow.flow.CallCommandRefused;
import io.callflow.flow.CallCommands;
import io.callflow.flow.CallRecordView;
import io.callflow.flow.Consultations;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Attended and warm transfer of a connected call: the agent consults a target while the caller is held, then
 * completes, cancels or makes it a three-way conference. Administrators and supervisors may do this for any call, an
 * agent for its own (403 otherwise); 409 when the call is not in a state for the command.
 */
@RestController
@RequestMapping(Api.V1 + "/calls/{callId}/consult")
class ConsultController {

    private final Consultations consultations;
    private final CallCommands commands;
    private final CallAccess access;
    private final Administration administration;

    ConsultController(Consultations consultations, CallCommands commands, CallAccess access,
            Administration administration) {
        this.consultations = consultations;
        this.commands = commands;
        this.access = access;
        this.administration = administration;
    }

    @Operation(summary = "Consult a target (attended transfer)",
            description = "Body: exactly one of `{\"agent\": \"bob\"}` (that agent, if available, is reserved and its"
                    + " phone rings), `{\"queue\": \"sales\"}` (the longest-idle available agent of the queue) or"
                    + " `{\"number\": \"+4930...\"}` (through the outbound trunk). The caller hears music on hold and"
                    + " the agent talks with the target once it answers; then complete, cancel or conference. A"
                    + " target that does not answer ends the consultation (event call.consult_cancelled) and the"
                    + " agent is back with the caller. 409 when the call has no connected agent, already consults,"
                    + " or the target is not available. An agent may consult only on its own calls.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping
    Map<String, Object> consult(@PathVariable String callId, @RequestBody(required = false) JsonNode body,
            Authentication user) {
        if (body == null || !body.isObject() || body.size() != 1) {
            throw new BadRequestException("The body must be one of {\"agent\": \"...\"}, {\"queue\": \"...\"},"
                    + " {\"number\": \"...\"}");
        }
        String kind = body.fieldNames().next();
        String target = CallTargets.check(kind, body.get(kind), administration);
        requireControllableHere(callId, user);
        return consultations.start(callId, kind, target, user.getName());
    }

    @Operation(summary = "The call's consultation",
            description = "`{callId, agent, target, targetAgent, state}` with state RINGING, TALKING or CONFERENCE;"
                    + " 404 when the call has no consultation in progress.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping
    Map<String, Object> consultation(@PathVariable String callId, Authentication user) {
        access.requireVisible(callId, user);
        Map<String, Object> consultation = consultations.find(callId);
        if (consultation.isEmpty()) {
            throw new NotFoundException("Call '" + callId + "' has no consultation in progress");
        }
        return consultation;
    }

    @Operation(summary = "Complete the consultation (transfer the caller to the target)",
            description = "The caller is bridged to the target, the consulting agent's leg ends and that agent goes"
                    + " to wrap-up; the target becomes the call's agent (record, recording, hang-up). From a three-way"
                    + " conference this is the first agent leaving. 409 while the target has not answered.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping("/complete")
    Map<String, Object> complete(@PathVariable String callId, Authentication user) {
        requireControllableHere(callId, user);
        consultations.complete(callId, user.getName());
        return Map.of("callId", callId, "status", "TRANSFERRED");
    }

    @Operation(summary = "Cancel the consultation",
            description = "The target's leg ends (ringing or talking; a target agent who talked goes to wrap-up) and"
                    + " the agent is back with the caller. 409 when there is no consultation.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping("/cancel")
    Map<String, Object> cancel(@PathVariable String callId, Authentication user) {
        requireControllableHere(callId, user);
        consultations.cancel(callId, user.getName());
        return Map.of("callId", callId, "status", "BACK_WITH_CALLER");
    }

    @Operation(summary = "Make the consultation a three-way conference (warm transfer)",
            description = "Caller, agent and target all hear each other (the media mixer). The agent then leaves with"
                    + " POST .../consult/complete or by hanging up its phone, leaving caller and target connected;"
                    + " .../consult/cancel ends the target's part instead. 409 while the target has not answered.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping("/conference")
    Map<String, Object> conference(@PathVariable String callId, Authentication user) {
        requireControllableHere(callId, user);
        consultations.conference(callId, user.getName());
        return Map.of("callId", callId, "status", "CONFERENCE");
    }

    @ExceptionHandler(CallCommandRefused.class)
    ProblemDetail refused(CallCommandRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    /** The call exists, is the user's to command, has not ended and is carried by this node; 404/403/409 if not. */
    private void requireControllableHere(String callId, Authentication user) {
        CallRecordView record = access.requireVisible(callId, user);
        if (record.endedAt() != null) {
            throw new ConflictException("Call '" + callId + "' has ended");
        }
        if (!commands.isLiveHere(callId)) {
            throw new ConflictException("Call '" + callId + "' is not carried by this node ("
                    + commands.node() + ")");
        }
    }
}
