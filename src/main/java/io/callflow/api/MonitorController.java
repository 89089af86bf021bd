package io.callflow.api;

import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.callflow.acd.AdminKind;
import io.callflow.acd.Administration;
import io.callflow.flow.CallCommandRefused;
import io.callflow.flow.CallCommands;
import io.callflow.flow.CallRecordView;
import io.callflow.flow.MonitorMode;
import io.callflow.flow.SupervisorMonitoring;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * Supervisor listen / whisper / barge on a live call: start (the supervisor's phone rings), switch mode, end. Only
 * supervisors and administrators; the call must be connected to an agent and carried by this node (409 otherwise).
 */
@RestController
@RequestMapping(Api.V1 + "/calls/{callId}/monitor")
class MonitorController {

    private final SupervisorMonitoring monitoring;
    private final CallCommands commands;
    private final CallAccess access;
    private final Administration administration;

    MonitorController(SupervisorMonitoring monitoring, CallCommands commands, CallAccess access,
            Administration administration) {
        this.monitoring = monitoring;
        this.commands = commands;
        this.access = access;
        this.administration = administration;
    }

    @Operation(summary = "Listen to, whisper on or barge into a connected call",
            description = "Body: `{\"mode\": \"listen|whisper|barge\", \"phone\": \"agent id\"}`. Callflow rings the"
                    + " registered phone of agent record `phone` (default: the user's own agent record, when the user"
                    + " name is an agent id); once answered the supervisor hears caller and agent (listen), is also"
                    + " heard by the agent only (whisper) or by both (barge). 202 while the phone rings. 409 when the"
                    + " call is not connected to an agent, is monitored already or is carried by another node."
                    + " Roles: SUPERVISOR, ADMIN.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @PostMapping
    ResponseEntity<Map<String, Object>> start(@PathVariable String callId,
            @RequestBody(required = false) JsonNode body, Authentication user) {
        MonitorMode mode = mode(body, true);
        JsonNode phoneNode = body.get("phone");
        boolean own = phoneNode == null || phoneNode.isNull();
        if (!own && (!phoneNode.isTextual() || phoneNode.asText().isBlank())) {
            throw new BadRequestException("'phone' must be an agent id");
        }
        String phone = own ? user.getName() : phoneNode.asText().trim();
        if (administration.find(AdminKind.AGENTS, phone).isEmpty()) {
            throw new BadRequestException(own ? "'phone' is required: user '" + phone + "' has no agent record whose"
                    + " phone could ring" : "There is no agent '" + phone + "' whose phone could ring");
        }
        requireControllableHere(callId, user);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(monitoring.start(callId, mode, phone, user.getName()));
    }

    @Operation(summary = "The call's monitoring",
            description = "Mode, phone, supervisor and status (RINGING, CONNECTED); 404 when the call is not"
                    + " monitored. Roles: SUPERVISOR, ADMIN.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @GetMapping
    Map<String, Object> show(@PathVariable String callId, Authentication user) {
        access.requireVisible(callId, user);
        return monitoring.find(callId).orElseThrow(() -> new NotFoundException("Call '" + callId
                + "' is not monitored"));
    }

    @Operation(summary = "Switch the monitoring mode during the call",
            description = "PUT or PATCH, body: `{\"mode\": \"listen|whisper|barge\"}`; takes effect at once, without a"
                    + " gap in the audio. 409 when the call is not monitored. Roles: SUPERVISOR, ADMIN.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @RequestMapping(method = {RequestMethod.PUT, RequestMethod.PATCH})
    Map<String, Object> switchMode(@PathVariable String callId, @RequestBody(required = false) JsonNode body,
            Authentication user) {
        MonitorMode mode = mode(body, false);
        requireControllableHere(callId, user);
        return monitoring.switchMode(callId, mode, user.getName());
    }

    @Operation(summary = "End the monitoring",
            description = "The supervisor's leg ends; caller and agent go on talking. 409 when the call is not"
                    + " monitored. Roles: SUPERVISOR, ADMIN.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @DeleteMapping
    Map<String, Object> stop(@PathVariable String callId, Authentication user) {
        requireControllableHere(callId, user);
        monitoring.stop(callId, user.getName());
        return Map.of("callId", callId, "status", "ENDED");
    }

    @ExceptionHandler(CallCommandRefused.class)
    ProblemDetail refused(CallCommandRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    private static MonitorMode mode(JsonNode body, boolean phoneAllowed) {
        String shape = phoneAllowed ? "{\"mode\": \"listen|whisper|barge\", \"phone\": \"agent id\"}"
                : "{\"mode\": \"listen|whisper|barge\"}";
        if (body == null || !body.isObject() || !body.has("mode")
                || body.size() > (phoneAllowed && body.has("phone") ? 2 : 1)) {
            throw new BadRequestException("The body must be " + shape);
        }
        JsonNode mode = body.get("mode");
        if (mode.isTextual()) {
            try {
                return MonitorMode.valueOf(mode.asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // fall through to the message below
            }
        }
        throw new BadRequestException("'mode' must be listen, whisper or barge");
    }

    private void requireControllableHere(String callId, Authentication user) {
        CallRecordView record = access.requireVisible(callId, user);
        if (record.endedAt() != null) {
            throw new ConflictException("Call '" + callId + "' has ended");
        }
        if (!commands.isLiveHere(callId)) {
            throw new ConflictException("Call '" + callId + "' is not carried by this node");
        }
    }
}
