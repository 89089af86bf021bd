package io.callflow.api;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * Callflow's roles: Camunda groups (managed in Camunda Admin) and the Spring Security roles their members get at
 * login (docs/security.md has what each role may do).
 */
final class Roles {

    static final String ADMIN_GROUP = "callflow-admin";
    static final String SUPERVISOR_GROUP = "callflow-supervisor";
    static final String AGENT_GROUP = "callflow-agent";
    /** Camunda's own administrators' group; its members are Callflow administrators too. */
    static final String CAMUNDA_ADMIN_GROUP = "camunda-admin";

    static final String ADMIN = "ADMIN";
    static final String SUPERVISOR = "SUPERVISOR";
    static final String AGENT = "AGENT";

    private Roles() {
    }

    /** Whether the user sees every agent's and every call's data (ADMIN or SUPERVISOR), not only its own. */
    static boolean isSupervisorOrAdmin(Authentication user) {
        return user.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .anyMatch(role -> role.equals("ROLE_" + ADMIN) || role.equals("ROLE_" + SUPERVISOR));
    }

    /** The role a group's members have, or null for a group that carries none. */
    static String roleOf(String groupId) {
        return switch (groupId) {
            case ADMIN_GROUP, CAMUNDA_ADMIN_GROUP -> ADMIN;
            case SUPERVISOR_GROUP -> SUPERVISOR;
            case AGENT_GROUP -> AGENT;
            default -> null;
        };
    }
}
