package io.callflow.api;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.callflow.acd.AdminKind;
import io.callflow.acd.Administration;
import io.callflow.flow.CallCommandRefused;
import io.callflow.flow.CallCommands;
import io.callflow.flow.CallHolds;
import io.callflow.flow.CallRecordView;
import io.callflow.flow.RecordingAction;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Commands for a live call: hang up, blind transfer (to a number; a waiting call to another queue or to an agent),
 * recording and call data. Administrators and supervisors may command any call, an agent only its own (403 otherwise). A call's
 * dialogs and media live on one node: a command for a call carried by another node is refused with 409 naming that
 * node (call data, kept in the shared database, can be set from any node).
 */
@RestController
@RequestMapping(Api.V1 + "/calls/{callId}")
class CallCommandsController {

    static final int MAX_DATA_KEYS = 32;
    static final int MAX_DATA_VALUE = 1000;
    static final Pattern DATA_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    /** A dialable number (digits, an optional leading +, * and #) or a SIP URI without spaces or angle brackets. */
    static final Pattern TRANSFER_TARGET = Pattern.compile("\\+?[0-9*#]{1,32}|sips?:[^\\s<>\"]{3,200}");

    private final CallCommands commands;
    private final CallAccess access;
    private final Administration administration;
    private final CallHolds holds;

    CallCommandsController(CallCommands commands, CallAccess access, Administration administration,
            CallHolds holds) {
        this.holds = holds;
        this.commands = commands;
        this.access = access;
        this.administration = administration;
    }

    @Operation(summary = "Hang up a live call",
            description = "Every leg ends (BYE); the flow's caller-hang-up path runs, so the queue place is given up"
                    + " or the agent goes to wrap-up, and the record closes with hang-up cause API_HANGUP. 409 when"
                    + " the call has ended or is carried by another node. An agent may hang up only its own calls.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping("/hangup")
    Map<String, Object> hangUp(@PathVariable String callId, Authentication user) {
        requireControllableHere(callId, user);
        commands.hangUp(callId, user.getName());
        return Map.of("callId", callId, "status", "HANGING_UP");
    }

    @Operation(summary = "Blind-transfer a live call",
            description = "Body: exactly one of `{\"number\": \"+4930...\"}` (a number or SIP URI: the flow lets go"
                    + " of queue and agent and refers the caller there, SIP REFER) or `{\"queue\": \"name\"}` (a call"
                    + " waiting in a queue moves to that queue, keeping its priority) or `{\"agent\": \"bob\"}` (a"
                    + " call waiting in a queue is offered to that agent at once, whatever the queue's members and"
                    + " order). 409 when the call cannot be transferred now (ended, on another node, not waiting in a"
                    + " queue for a queue or agent transfer, the agent not available). An agent may transfer only its"
                    + " own calls.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping("/transfer")
    Map<String, Object> transfer(@PathVariable String callId, @RequestBody(required = false) JsonNode body,
            Authentication user) {
        if (body == null || !body.isObject() || body.size() != 1) {
            throw new BadRequestException("The body must be one of {\"number\": \"...\"}, {\"queue\": \"...\"},"
                    + " {\"agent\": \"...\"}");
        }
        String kind = body.fieldNames().next();
        JsonNode value = body.get(kind);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new BadRequestException("'" + kind + "' must be a non-empty string");
        }
        String target = value.asText().trim();
        switch (kind) {
            case "number" -> {
                if (!TRANSFER_TARGET.matcher(target).matches()) {
                    throw new BadRequestException("'number' must be digits (optionally +, * and #, at most 32) or a"
                            + " SIP URI");
                }
                requireControllableHere(callId, user);
                commands.transferToNumber(callId, target, user.getName());
            }
            case "queue" -> {
                if (administration.find(AdminKind.QUEUES, target).isEmpty()) {
                    throw new BadRequestException("There is no queue '" + target + "'");
                }
                requireControllableHere(callId, user);
                commands.transferToQueue(callId, target, user.getName());
            }
            case "agent" -> {
                if (administration.find(AdminKind.AGENTS, target).isEmpty()) {
                    throw new BadRequestException("There is no agent '" + target + "'");
                }
                requireControllableHere(callId, user);
                commands.transferToAgent(callId, target, user.getName());
            }
            default -> throw new BadRequestException("Unknown transfer target '" + kind + "': use 'number', 'queue'"
                    + " or 'agent'");
        }
        return Map.of("callId", callId, "status", "TRANSFERRING", kind, target);
    }

    @Operation(summary = "Start, stop, pause or resume the call's recording",
            description = "Body: `{\"action\": \"start|stop|pause|resume\"}`. While paused the recording gets"
                    + " silence, so the file's length still matches the call (a start after a stop begins a new file)."
                    + " 409 when the call has ended or is carried by another node. An agent may do this only for its"
                    + " own calls.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping("/recording")
    Map<String, Object> recording(@PathVariable String callId, @RequestBody(required = false) JsonNode body,
            Authentication user) {
        JsonNode action = body == null ? null : body.get("action");
        RecordingAction parsed = null;
        if (action != null && action.isTextual()) {
            try {
                parsed = RecordingAction.valueOf(action.asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                parsed = null;
            }
        }
        if (parsed == null || body.size() != 1) {
            throw new BadRequestException("The body must be {\"action\": \"start|stop|pause|resume\"}");
        }
        requireControllableHere(callId, user);
        commands.recording(callId, parsed, user.getName());
        return Map.of("callId", callId, "recording", parsed.name());
    }

    @Operation(summary = "The call data set through the API",
            description = "The process variables set with PUT or PATCH on this call. An agent may read only its own"
                    + " calls'.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping("/data")
    Map<String, Object> data(@PathVariable String callId, Authentication user) {
        requireOpen(callId, user);
        return commands.data(callId);
    }

    @Operation(summary = "Merge call data into the call's flow",
            description = "A JSON object of at most 32 keys (letters, digits, _; starting with a letter; at most 64"
                    + " characters) to strings (at most 1000 characters), numbers or booleans; null removes a key. The"
                    + " values become process variables the flow (rules, gateways, Cockpit) sees. A key naming a"
                    + " variable the flow set itself is refused (409). Returns the call data afterwards.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PatchMapping("/data")
    Map<String, Object> patchData(@PathVariable String callId, @RequestBody(required = false) JsonNode body,
            Authentication user) {
        Map<String, Object> data = validData(body);
        requireOpen(callId, user);
        return commands.setData(callId, data, false, user.getName());
    }

    @Operation(summary = "Replace the call data of the call's flow",
            description = "As PATCH, but keys set through the API before and missing from this body are removed.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PutMapping("/data")
    Map<String, Object> putData(@PathVariable String callId, @RequestBody(required = false) JsonNode body,
            Authentication user) {
        Map<String, Object> data = validData(body);
        requireOpen(callId, user);
        return commands.setData(callId, data, true, user.getName());
    }

    @Operation(summary = "Put a connected call on hold",
            description = "The caller hears music on hold (prompts/moh/default.wav), the agent silence, and nothing"
                    + " said reaches the other side; the recording goes on with the music. Callflow anchors the media,"
                    + " so no re-INVITE is sent to either phone. Idempotent (`changed` false when already held)."
                    + " 409 when the call has no connected agent, has ended or is carried by another node. Roles:"
                    + " ADMIN, SUPERVISOR, the call's own AGENT.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping("/hold")
    Map<String, Object> hold(@PathVariable String callId, Authentication user) {
        requireControllableHere(callId, user);
        boolean changed = holds.hold(callId, true, user.getName());
        return Map.of("callId", callId, "status", "HELD", "changed", changed);
    }

    @Operation(summary = "Resume a call held through the API",
            description = "The caller and the agent hear each other again (a phone's own hold, by re-INVITE, lasts"
                    + " until that phone resumes). Idempotent. 409 as for hold. Roles: ADMIN, SUPERVISOR, the call's"
                    + " own AGENT.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping("/resume")
    Map<String, Object> resume(@PathVariable String callId, Authentication user) {
        requireControllableHere(callId, user);
        boolean changed = holds.hold(callId, false, user.getName());
        return Map.of("callId", callId, "status", "RESUMED", "changed", changed);
    }

    @ExceptionHandler(CallCommandRefused.class)
    ProblemDetail refused(CallCommandRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    /** The call exists, is the user's to command, has not ended and is carried by this node; 404/403/409 if not. */
    private void requireControllableHere(String callId, Authentication user) {
        CallRecordView record = requireOpen(callId, user);
        if (!commands.isLiveHere(callId)) {
            String owner = record.ownerNode();
            throw new ConflictException(owner != null && !owner.equals(commands.node())
                    ? "Call '" + callId + "' is on node " + owner + "; send the command to that node"
                    : "Call '" + callId + "' has lost its signalling on this node; it is being ended");
        }
    }

    private CallRecordView requireOpen(String callId, Authentication user) {
        CallRecordView record = access.requireVisible(callId, user);
        if (record.endedAt() != null) {
            throw new ConflictException("Call '" + callId + "' has ended");
        }
        return record;
    }

    private static Map<String, Object> validData(JsonNode body) {
        if (body == null || !body.isObject() || body.isEmpty()) {
            throw new BadRequestException("The body must be a non-empty JSON object of call data");
        }
        if (body.size() > MAX_DATA_KEYS) {
            throw new BadRequestException("At most " + MAX_DATA_KEYS + " keys at a time");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        body.fields().forEachRemaining(field -> {
            String key = field.getKey();
            if (!DATA_KEY.matcher(key).matches()) {
                throw new BadRequestException("Key '" + abbreviated(key) + "' must start with a letter and have only"
                        + " letters, digits and _ (at most 64)");
            }
            data.put(key, value(key, field.getValue()));
        });
        return data;
    }

    private static Object value(String key, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            if (value.asText().length() > MAX_DATA_VALUE) {
                throw new BadRequestException("'" + key + "' is longer than " + MAX_DATA_VALUE + " characters");
            }
            return value.asText();
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isIntegralNumber()) {
            BigInteger number = value.bigIntegerValue();
            if (number.bitLength() > 63) {
                throw new BadRequestException("'" + key + "' is too large a number");
            }
            return number.longValue();
        }
        if (value.isNumber()) {
            BigDecimal number = value.decimalValue();
            double asDouble = number.doubleValue();
            if (Double.isInfinite(asDouble)) {
                throw new BadRequestException("'" + key + "' is too large a number");
            }
            return asDouble;
        }
        throw new BadRequestException("'" + key + "' must be a string, number, boolean or null, not an object or"
                + " a list");
    }

    private static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
