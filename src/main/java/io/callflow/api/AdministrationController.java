package io.callflow.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.callflow.acd.AdminKind;
import io.callflow.acd.Administration;
import io.callflow.acd.AdministrationRefused;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Administration of skills, agents, queues and numbers: the provisioning file's entries, as JSON, created, replaced and
 * removed at run time. Entries the file declares are read-only here (409): the file wins.
 */
@RestController
@RequestMapping(Api.V1 + "/admin/{kind}")
class AdministrationController {

    private final Administration administration;

    AdministrationController(Administration administration) {
        this.administration = administration;
    }

    @Operation(summary = "List the entries of one kind",
            description = "Each entry as in the provisioning file, without secrets, with `managedBy` (`file` or `api`).")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @GetMapping
    List<Map<String, Object>> list(@PathVariable @Parameter(schema = @Schema(allowableValues = {"skills", "agents",
            "queues", "dids"})) String kind) {
        return administration.list(kind(kind));
    }

    @Operation(summary = "One entry")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @GetMapping("/{key}")
    Map<String, Object> one(@PathVariable @Parameter(schema = @Schema(allowableValues = {"skills", "agents",
            "queues", "dids"})) String kind, @PathVariable String key) {
        AdminKind adminKind = kind(kind);
        return administration.find(adminKind, key).orElseThrow(() -> new NotFoundException("There is no "
                + adminKind.section() + " entry '" + key + "'"));
    }

    @Operation(summary = "Create or replace an entry",
            description = "The body is a provisioning-file entry of this kind in JSON (docs/acd.md), validated as the"
                    + " file is; its name field may be left out. 201 when created, 200 when replaced. An agent"
                    + " replaced without `password` keeps its credentials. 409 for an entry the file declares.")
    @PreAuthorize("hasRole('ADMIN')")
    @PutMapping("/{key}")
    ResponseEntity<Map<String, Object>> put(@PathVariable @Parameter(schema = @Schema(allowableValues = {"skills",
            "agents", "queues", "dids"})) String kind, @PathVariable String key, @RequestBody JsonNode entry) {
        AdminKind adminKind = kind(kind);
        boolean created;
        try {
            created = administration.put(adminKind, key, entry);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(adminKind.section() + " entry '" + key + "': " + e.getMessage());
        }
        return ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK).body(one(kind, key));
    }

    @Operation(summary = "Remove an entry",
            description = "409 for an entry the file declares, an agent with a call, a queue with waiting calls or a"
                    + " skill that agents have.")
    @PreAuthorize("hasRole('ADMIN')")
    @DeleteMapping("/{key}")
    ResponseEntity<Void> delete(@PathVariable @Parameter(schema = @Schema(allowableValues = {"skills", "agents",
            "queues", "dids"})) String kind, @PathVariable String key) {
        administration.delete(kind(kind), key);
        return ResponseEntity.noContent().build();
    }

    @ExceptionHandler(AdministrationRefused.class)
    ProblemDetail refused(AdministrationRefused e) {
        HttpStatus status = e.reason() == AdministrationRefused.Reason.NOT_FOUND ? HttpStatus.NOT_FOUND
                : HttpStatus.CONFLICT;
        return ProblemDetail.forStatusAndDetail(status, e.getMessage());
    }

    private static AdminKind kind(String kind) {
        try {
            return AdminKind.of(kind);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException("There is no administration path '" + kind
                    + "': use skills, agents, queues or dids");
        }
    }
}
