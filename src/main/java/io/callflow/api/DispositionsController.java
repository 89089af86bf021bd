package io.callflow.api;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.callflow.flow.CallHistory;
import io.callflow.flow.CallRecordView;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Wrap-up: the configured disposition codes, and a call's code and note stored on its record. An agent gives its own
 * calls a code (the ones it answered or is on); supervisors and administrators any call's.
 */
@RestController
class DispositionsController {

    static final int MAX_NOTE = 1000;
    /** Control characters other than line breaks and tabs: PostgreSQL cannot store NUL, and none belongs in a note. */
    static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\r\\n\\t]]");

    private final DispositionProperties properties;
    private final CallAccess access;
    private final CallHistory history;

    DispositionsController(DispositionProperties properties, CallAccess access, CallHistory history) {
        this.properties = properties;
        this.access = access;
        this.history = history;
    }

    @Operation(summary = "The disposition codes a call may be given at wrap-up",
            description = "From `callflow.calls.dispositions`, in their configured order.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping(Api.V1 + "/dispositions")
    List<String> dispositions() {
        return properties.dispositions();
    }

    @Operation(summary = "Give a call its disposition code (wrap-up)",
            description = "Body `{\"code\": \"Resolved\", \"note\": \"...\"}`: `code` one of GET /api/v1/dispositions,"
                    + " `note` optional (at most 1000 characters). Replaces an earlier disposition; live and finished"
                    + " calls alike. Answers the call record. An agent may set it only for its own calls.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PutMapping(Api.V1 + "/calls/{callId}/disposition")
    CallRecordView disposition(@PathVariable String callId,
            @RequestBody(required = false) JsonNode body, Authentication user) {
        if (body == null || !body.isObject()) {
            throw new BadRequestException("The body must be {\"code\": \"...\", \"note\": \"...\"}");
        }
        JsonNode code = body.path("code");
        if (!code.isTextual() || !properties.dispositions().contains(code.asText())) {
            throw new BadRequestException("'code' must be one of " + properties.dispositions());
        }
        JsonNode note = body.path("note");
        if (!note.isMissingNode() && !note.isNull() && !note.isTextual()) {
            throw new BadRequestException("'note' must be a string");
        }
        String text = note.isTextual() && !note.asText().isBlank() ? note.asText().strip() : null;
        if (text != null && (text.length() > MAX_NOTE || CONTROL.matcher(text).find())) {
            throw new BadRequestException("'note' must be at most " + MAX_NOTE
                    + " characters without control characters");
        }
        access.requireVisible(callId, user);
        history.setDisposition(callId, code.asText(), text);
        return history.find(callId).orElseThrow(() -> CallAccess.unknown(callId));
    }
}
