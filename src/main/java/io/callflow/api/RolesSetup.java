package io.callflow.api;

import static org.camunda.bpm.engine.authorization.Authorization.ANY;
import static org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT;

import java.util.List;

import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.ProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Creates Callflow's role groups and the engine authorizations each role needs, at every start and before the HTTP
 * server accepts requests: missing ones are added, existing ones kept, so a database from an older version is
 * upgraded and one an administrator has extended is left alone. Runs without an authenticated engine user, which the
 * engine allows everything.
 */
@Component
class RolesSetup implements InitializingBean {

    /** Supervisors follow calls in Cockpit and cancel a stuck one; they change nothing else. */
    static final List<Grant> SUPERVISOR_GRANTS = List.of(
            new Grant(Resources.APPLICATION, "cockpit", Permissions.ACCESS),
            new Grant(Resources.PROCESS_DEFINITION, ANY, ProcessDefinitionPermissions.READ,
                    ProcessDefinitionPermissions.READ_INSTANCE, ProcessDefinitionPermissions.READ_HISTORY,
                    ProcessDefinitionPermissions.DELETE_INSTANCE),
            new Grant(Resources.PROCESS_INSTANCE, ANY, ProcessInstancePermissions.READ,
                    ProcessInstancePermissions.DELETE));

    private static final Logger log = LoggerFactory.getLogger(RolesSetup.class);

    private final IdentityService identityService;
    private final AuthorizationService authorizationService;
    private final String adminUser;

    RolesSetup(IdentityService identityService, AuthorizationService authorizationService,
            @Value("${callflow.admin.username}") String adminUser) {
        this.identityService = identityService;
        this.authorizationService = authorizationService;
        this.adminUser = adminUser;
    }

    @Override
    public void afterPropertiesSet() {
        ensureGroup(Roles.CAMUNDA_ADMIN_GROUP, "camunda BPM Administrators", Groups.GROUP_TYPE_SYSTEM);
        ensureGroup(Roles.ADMIN_GROUP, "Callflow administrators", Groups.GROUP_TYPE_SYSTEM);
        ensureGroup(Roles.SUPERVISOR_GROUP, "Callflow supervisors", Groups.GROUP_TYPE_WORKFLOW);
        ensureGroup(Roles.AGENT_GROUP, "Callflow agents", Groups.GROUP_TYPE_WORKFLOW);
        // Administrators may do everything, in the engine as in Callflow's API: both admin groups get ALL everywhere
        // (Camunda grants camunda-admin this only when it creates the first administrator, for the resources of the
        // version that created it).
        int added = 0;
        for (Resource resource : Resources.values()) {
            added += ensureGrant(Roles.CAMUNDA_ADMIN_GROUP, new Grant(resource, ANY, Permissions.ALL));
            added += ensureGrant(Roles.ADMIN_GROUP, new Grant(resource, ANY, Permissions.ALL));
        }
        for (Grant grant : SUPERVISOR_GRANTS) {
            added += ensureGrant(Roles.SUPERVISOR_GROUP, grant);
        }
        if (added > 0) {
            log.info("Granted the roles' engine authorizations ({} added or extended)", added);
        }
        // Agents get no engine authorization at all: they use Callflow's API for themselves only.
        if (identityService.createUserQuery().userId(adminUser).count() == 1) {
            ensureMember(adminUser, Roles.CAMUNDA_ADMIN_GROUP);
            ensureMember(adminUser, Roles.ADMIN_GROUP);
        }
    }

    private void ensureGroup(String id, String name, String type) {
        if (identityService.createGroupQuery().groupId(id).count() == 0) {
            Group group = identityService.newGroup(id);
            group.setName(name);
            group.setType(type);
            identityService.saveGroup(group);
            log.info("Created the group '{}'", id);
        }
    }

    private void ensureMember(String user, String group) {
        if (identityService.createUserQuery().userId(user).memberOfGroup(group).count() == 0) {
            identityService.createMembership(user, group);
            log.info("Made '{}' a member of '{}'", user, group);
        }
    }

    /** Returns 1 when the authorization was created or extended, 0 when it already had every permission. */
    private int ensureGrant(String group, Grant grant) {
        Authorization existing = authorizationService.createAuthorizationQuery()
                .authorizationType(AUTH_TYPE_GRANT).groupIdIn(group)
                .resourceType(grant.resource()).resourceId(grant.resourceId())
                .singleResult();
        Authorization authorization = existing;
        if (authorization == null) {
            authorization = authorizationService.createNewAuthorization(AUTH_TYPE_GRANT);
            authorization.setGroupId(group);
            authorization.setResource(grant.resource());
            authorization.setResourceId(grant.resourceId());
        }
        boolean changed = existing == null;
        for (Permission permission : grant.permissions()) {
            if (!authorization.isPermissionGranted(permission)) {
                authorization.addPermission(permission);
                changed = true;
            }
        }
        if (!changed) {
            return 0;
        }
        authorizationService.saveAuthorization(authorization);
        log.debug("Granted '{}' {} on {} {}", group, List.of(grant.permissions()), grant.resource().resourceName(),
                grant.resourceId());
        return 1;
    }

    /** Permissions a group gets on one resource ({@code *} for all of its kind). */
    record Grant(Resource resource, String resourceId, Permission... permissions) {
    }
}
