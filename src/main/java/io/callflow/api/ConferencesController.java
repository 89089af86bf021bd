package io.callflow.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.callflow.acd.Administration;
import io.callflow.flow.CallCommandRefused;
import io.callflow.flow.CallCommands;
import io.callflow.flow.Conferences;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Conference rooms: list, create from a connected call, show with participants, add (agent, queue, number), remove
 * and mute/unmute participants. A room is the business of its host call: an agent may act on rooms whose host call
 * is its own, supervisors and administrators on any (404/403 as for the call).
 */
@RestController
@RequestMapping(Api.V1 + "/conferences")
class ConferencesController {

    private final Conferences conferences;
    private final CallCommands commands;
    private final CallAccess access;
    private final Administration administration;

    ConferencesController(Conferences conferences, CallCommands commands, CallAccess access,
            Administration administration) {
        this.conferences = conferences;
        this.commands = commands;
        this.access = access;
        this.administration = administration;
    }

    @Operation(summary = "The conference rooms",
            description = "Every room on this node with its participants; an agent sees the rooms of its own calls."
                    + " Roles: ADMIN, SUPERVISOR, AGENT.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping
    List<Map<String, Object>> list(Authentication user) {
        return conferences.list().stream().filter(room -> visible((String) room.get("hostCall"), user)).toList();
    }

    @Operation(summary = "Move a connected call into a new conference room",
            description = "Body: `{\"callId\": \"...\", \"name\": \"optional room name\"}` (name: letters, digits,"
                    + " '.', '_', '-', at most 64; default `call-<callId>`). The caller and the call's agent (the"
                    + " moderator) go into the room's mix; the call's recording goes on and records the mix. 201 with"
                    + " the room. 409 when the call is not connected to an agent, is in a room already, the name is"
                    + " taken, or the call is carried by another node. Roles: ADMIN, SUPERVISOR, AGENT (own calls).")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping
    ResponseEntity<Map<String, Object>> create(@RequestBody(required = false) JsonNode body, Authentication user) {
        if (body == null || !body.isObject() || !body.hasNonNull("callId") || !body.get("callId").isTextual()
                || body.size() > (body.has("name") ? 2 : 1)) {
            throw new BadRequestException("The body must be {\"callId\": \"...\", \"name\": \"optional room name\"}");
        }
        String name = null;
        if (body.has("name") && !body.get("name").isNull()) {
            JsonNode value = body.get("name");
            if (!value.isTextual() || !Conferences.ROOM_NAME.matcher(value.asText()).matches()) {
                throw new BadRequestException("'name' must be letters, digits, '.', '_' or '-' (at most 64)");
            }
            name = value.asText();
        }
        String callId = body.get("callId").asText();
        requireControllableHere(callId, user);
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(conferences.createFromCall(callId, name, user.getName()));
    }

    @Operation(summary = "A conference room with its participants",
            description = "`{name, hostCall, createdBy, moderator, participants: [{id, kind, target, agent, callId,"
                    + " muted, moderator, status}]}`, status RINGING or JOINED. 404 when there is no such room."
                    + " Roles: ADMIN, SUPERVISOR, AGENT (own calls).")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping("/{room}")
    Map<String, Object> show(@PathVariable String room, Authentication user) {
        requireRoom(room, user);
        return conferences.find(room).orElseThrow(() -> new NotFoundException("There is no conference '" + room
                + "'"));
    }

    @Operation(summary = "Add a participant to a conference room",
            description = "Body: exactly one of `{\"agent\": \"bob\"}` (reserved if available, its phone rings),"
                    + " `{\"queue\": \"sales\"}` (the longest-idle available agent of the queue) or `{\"number\":"
                    + " \"+4930...\"}` (through the outbound trunk), and optionally `\"muted\": true`. 202 with the"
                    + " participant (RINGING); it joins the mix when it answers (event conference.participant_joined)."
                    + " 409 when the target is not available, there is no outbound trunk, or the agent is in the room"
                    + " already. Roles: ADMIN, SUPERVISOR, AGENT (own calls).")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PostMapping("/{room}/participants")
    ResponseEntity<Map<String, Object>> add(@PathVariable String room, @RequestBody(required = false) JsonNode body,
            Authentication user) {
        String shape = "The body must be one of {\"agent\": \"...\"}, {\"queue\": \"...\"}, {\"number\": \"...\"},"
                + " optionally with \"muted\": true|false";
        if (body == null || !body.isObject()) {
            throw new BadRequestException(shape);
        }
        boolean muted = false;
        if (body.has("muted")) {
            if (!body.get("muted").isBoolean()) {
                throw new BadRequestException("'muted' must be true or false");
            }
            muted = body.get("muted").asBoolean();
        }
        List<String> kinds = List.of("agent", "queue", "number");
        List<String> given = kinds.stream().filter(body::has).toList();
        if (given.size() != 1 || body.size() != (body.has("muted") ? 2 : 1)) {
            throw new BadRequestException(shape);
        }
        String kind = given.get(0);
        String target = CallTargets.check(kind, body.get(kind), administration);
        requireControllableHere(requireRoom(room, user), user);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(conferences.add(room, kind, target, muted, user.getName()));
    }

    @Operation(summary = "Mute or unmute a participant",
            description = "Body: `{\"muted\": true|false}`. A muted participant hears everyone and is heard by"
                    + " nobody. Returns the participant. 404 when there is no such room, 409 when it has no such"
                    + " participant. Roles: ADMIN, SUPERVISOR, AGENT (own calls).")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @PatchMapping("/{room}/participants/{participant}")
    Map<String, Object> mute(@PathVariable String room, @PathVariable String participant,
            @RequestBody(required = false) JsonNode body, Authentication user) {
        if (body == null || !body.isObject() || body.size() != 1 || !body.has("muted")
                || !body.get("muted").isBoolean()) {
            throw new BadRequestException("The body must be {\"muted\": true|false}");
        }
        requireControllableHere(requireRoom(room, user), user);
        return conferences.mute(room, participant, body.get("muted").asBoolean(), user.getName());
    }

    @Operation(summary = "Remove a participant",
            description = "Hangs up the participant's leg (a caller's whole call ends; a dialled agent goes to"
                    + " wrap-up); removing the moderator ends the room. 202; event conference.participant_left"
                    + " follows. 404 when there is no such room, 409 when it has no such participant. Roles: ADMIN,"
                    + " SUPERVISOR, AGENT (own calls).")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @DeleteMapping("/{room}/participants/{participant}")
    ResponseEntity<Map<String, Object>> remove(@PathVariable String room, @PathVariable String participant,
            Authentication user) {
        requireControllableHere(requireRoom(room, user), user);
        conferences.remove(room, participant, user.getName());
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("room", room, "participant", participant,
                "status", "LEAVING"));
    }

    @ExceptionHandler(CallCommandRefused.class)
    ProblemDetail refused(CallCommandRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    /** The room's host call, checked visible to the user; 404 when there is no such room. */
    private String requireRoom(String room, Authentication user) {
        String host = conferences.hostCall(room).orElseThrow(() -> new NotFoundException("There is no conference '"
                + room + "'"));
        access.requireVisible(host, user);
        return host;
    }

    private boolean visible(String callId, Authentication user) {
        try {
            access.requireVisible(callId, user);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void requireControllableHere(String callId, Authentication user) {
        access.requireControllableHere(callId, user, commands);
    }
}
