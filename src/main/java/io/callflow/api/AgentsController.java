package io.callflow.api;

import java.time.Clock;
import java.util.List;

import io.callflow.acd.AgentStats;
import io.callflow.acd.AgentView;
import io.callflow.acd.Agents;
import io.callflow.acd.QueueStatistics;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Agents as supervisors see them (state, skills, today's figures), their statistics, and pausing and resuming.
 * Administrators and supervisors may see and pause or resume every agent; an agent only itself (its user id is its
 * agent id).
 */
@RestController
@RequestMapping(Api.V1 + "/agents")
class AgentsController {

    private final Agents agents;
    private final QueueStatistics statistics;
    private final Clock clock;

    AgentsController(Agents agents, QueueStatistics statistics, Clock clock) {
        this.agents = agents;
        this.statistics = statistics;
        this.clock = clock;
    }

    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @GetMapping
    List<AgentView> all() {
        return agents.all();
    }

    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR') or (hasRole('AGENT') and #agentId == authentication.name)")
    @GetMapping("/{agentId}")
    AgentView one(@PathVariable String agentId) {
        return agents.find(agentId).orElseThrow(() -> unknown(agentId));
    }

    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR') or (hasRole('AGENT') and #agentId == authentication.name)")
    @GetMapping("/{agentId}/stats")
    AgentStats stats(@PathVariable String agentId, @RequestParam(required = false) String from,
            @RequestParam(required = false) String to) {
        one(agentId);
        Interval interval = Interval.parse(from, to, clock);
        return statistics.agent(agentId, interval.from(), interval.to());
    }

    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR') or (hasRole('AGENT') and #agentId == authentication.name)")
    @PostMapping("/{agentId}/pause")
    AgentView pause(@PathVariable String agentId, @RequestBody(required = false) PauseRequest request) {
        String reason = request == null ? null : request.validReason();
        AgentView agent = one(agentId);
        if (!agents.pause(agentId, reason)) {
            throw new ConflictException("Agent '" + agentId + "' is " + agent.state()
                    + " and can only be paused while AVAILABLE, in WRAP_UP or already PAUSED");
        }
        return one(agentId);
    }

    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR') or (hasRole('AGENT') and #agentId == authentication.name)")
    @PostMapping("/{agentId}/resume")
    AgentView resume(@PathVariable String agentId) {
        AgentView agent = one(agentId);
        if (!agents.resume(agentId)) {
            throw new ConflictException("Agent '" + agentId + "' is " + agent.state()
                    + (agent.registered() ? "" : " with no registered phone")
                    + " and can only be resumed from PAUSED with a registered phone");
        }
        return one(agentId);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Log an agent out",
            description = "AVAILABLE, PAUSED or WRAP_UP become OFFLINE at once (idempotent for OFFLINE); the agent is"
                    + " offered no calls until its phone registers anew (auto-login on register). An agent with a"
                    + " call reserved, ringing or connected is refused with 409: it finishes the call first, so no"
                    + " caller is cut off. Roles: ADMIN, SUPERVISOR for anyone, AGENT for itself.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR') or (hasRole('AGENT') and #agentId == authentication.name)")
    @PostMapping("/{agentId}/logout")
    AgentView logOut(@PathVariable String agentId) {
        AgentView agent = one(agentId);
        if (!agents.logOut(agentId)) {
            throw new ConflictException("Agent '" + agentId + "' is " + agent.state()
                    + " with a call; log out once the call has ended");
        }
        return one(agentId);
    }

    private static NotFoundException unknown(String agentId) {
        return new NotFoundException("There is no agent '" + agentId + "'");
    }

    /** Why an agent pauses (break, training...), shown to supervisors. */
    record PauseRequest(String reason) {

        /**
         * The size of {@code agent.state_reason} and {@code agent_state_log.reason}, counted in UTF-16 units as H2
         * counts (PostgreSQL counts code points, so this is the stricter of the two).
         */
        static final int MAX_REASON_LENGTH = 255;

        /** The reason if it can be stored as sent: PostgreSQL refuses NUL in text, and no reason needs a control. */
        String validReason() {
            if (reason != null && reason.length() > MAX_REASON_LENGTH) {
                throw new BadRequestException("'reason' must be at most " + MAX_REASON_LENGTH + " characters, not "
                        + reason.length());
            }
            if (reason != null && reason.chars().anyMatch(Character::isISOControl)) {
                throw new BadRequestException("'reason' must not contain control characters (line breaks, tabs, NUL)");
            }
            return reason;
        }
    }
}
