package io.callflow.api;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who the caller is: its user id and Callflow roles, so that a client (the {@code ui/} login) can check credentials and
 * choose the page for the role without trying operations until one is allowed.
 */
@RestController
@RequestMapping(Api.V1 + "/me")
class MeController {

    /** The authenticated user: {@code id} is the Camunda user id (an agent's user id is its agent id). */
    record Me(String id, List<String> roles) {
    }

    @Operation(summary = "The authenticated user and its roles",
            description = "`roles` holds ADMIN, SUPERVISOR and/or AGENT; a user with none of them is refused (403).")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping
    Me me(Authentication user) {
        List<String> roles = user.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .filter(authority -> authority.startsWith("ROLE_")).map(authority -> authority.substring(5))
                .filter(role -> List.of(Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT).contains(role))
                .distinct().sorted().toList();
        return new Me(user.getName(), roles);
    }
}
