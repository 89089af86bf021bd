package io.callflow.flow;

import java.util.Map;
import java.util.Set;

import io.callflow.acd.AgentDialPlans;
import io.callflow.acd.AgentFeature;
import io.callflow.acd.AgentView;
import io.callflow.acd.Agents;
import io.callflow.call.LegDigitPressed;
import org.camunda.bpm.engine.IdentityService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Supervisor feature codes dialled from the supervisor's own phone: {@code listen}, {@code whisper} and {@code barge}
 * followed by an agent's extension (e.g. {@code *30201}, codes set in the dial plan). The phone's SIP user is an agent
 * record; it may supervise when the Callflow user of the same id is in the supervisor or admin group (the API's
 * roles). The code call itself ends with a short prompt, and {@link SupervisorMonitoring} rings the supervisor's phone
 * back on a leg of the agent's call, as from the API. On that leg keys switch the mode: 1 listen, 2 whisper, 3 barge.
 */
@Configuration(proxyBeanMethods = false)
public class SupervisorFeatures {

    /** Groups whose members may supervise from the phone (api.Roles' supervisor and admin groups). */
    static final Set<String> SUPERVISOR_GROUPS = Set.of("callflow-supervisor", "callflow-admin", "camunda-admin");
    static final Map<Character, MonitorMode> KEYS = Map.of('1', MonitorMode.LISTEN, '2', MonitorMode.WHISPER,
            '3', MonitorMode.BARGE);
    private static final Logger log = LoggerFactory.getLogger(SupervisorFeatures.class);

    @Bean
    AgentFeature listenFeature(Supervision supervision) {
        return supervision.feature("listen", MonitorMode.LISTEN);
    }

    @Bean
    AgentFeature whisperFeature(Supervision supervision) {
        return supervision.feature("whisper", MonitorMode.WHISPER);
    }

    @Bean
    AgentFeature bargeFeature(Supervision supervision) {
        return supervision.feature("barge", MonitorMode.BARGE);
    }

    @Bean
    Supervision supervision(IdentityService identities, Agents agents,
            org.springframework.beans.factory.ObjectProvider<AgentDialPlans> dialPlans,
            org.springframework.beans.factory.ObjectProvider<SupervisorMonitoring> monitoring) {
        return new Supervision(identities, agents, dialPlans, monitoring);
    }

    /** Runs the codes and listens for the supervisor's keys. */
    static final class Supervision {

        private final IdentityService identities;
        private final Agents agents;
        // Lazy: the dial plan collects every AgentFeature, these included.
        private final org.springframework.beans.factory.ObjectProvider<AgentDialPlans> dialPlans;
        private final org.springframework.beans.factory.ObjectProvider<SupervisorMonitoring> monitoring;

        Supervision(IdentityService identities, Agents agents,
                org.springframework.beans.factory.ObjectProvider<AgentDialPlans> dialPlans,
                org.springframework.beans.factory.ObjectProvider<SupervisorMonitoring> monitoring) {
            this.identities = identities;
            this.agents = agents;
            this.dialPlans = dialPlans;
            this.monitoring = monitoring;
        }

        AgentFeature feature(String name, MonitorMode mode) {
            return new AgentFeature() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public boolean takesArgument() {
                    return true;
                }

                @Override
                public String run(String agentId, String argument, String reason) {
                    return monitor(agentId, argument, mode);
                }
            };
        }

        /** Starts monitoring the call of the agent at {@code extension}; the supervisor's phone rings back. */
        String monitor(String supervisorId, String extension, MonitorMode mode) {
            boolean supervisor = identities.createGroupQuery().groupMember(supervisorId).list().stream()
                    .anyMatch(group -> SUPERVISOR_GROUPS.contains(group.getId()));
            if (!supervisor) {
                throw new AgentFeature.Refused("Not a supervisor");
            }
            String agentId = extension == null || extension.isEmpty() ? null
                    : dialPlans.getObject().agentAt(extension).orElse(null);
            if (agentId == null) {
                throw new AgentFeature.Refused("Not an agent's extension");
            }
            String callId = agents.find(agentId).map(AgentView::currentCall).orElse(null);
            if (callId == null || callId.contains("/")) {
                throw new AgentFeature.Refused("Agent " + agentId + " is not on a call");
            }
            try {
                monitoring.getObject().start(callId, mode, supervisorId, supervisorId);
            } catch (CallCommandRefused | IllegalArgumentException e) {
                throw new AgentFeature.Refused(e.getMessage());
            }
            log.info("Supervisor {} {}s to agent {} on call {} from the phone", supervisorId,
                    mode.name().toLowerCase(), agentId, callId);
            return mode.name().toLowerCase() + " on call " + callId + ", ringing back";
        }

        @EventListener
        void on(LegDigitPressed event) {
            MonitorMode mode = KEYS.get(event.digit());
            SupervisorMonitoring monitor = monitoring.getObject();
            if (mode != null && monitor.isMonitorLeg(event.callId(), event.legId())) {
                try {
                    monitor.switchMode(event.callId().value(), mode, "phone");
                } catch (CallCommandRefused e) {
                    log.debug("Call {}: mode switch from the phone ignored: {}", event.callId(), e.getMessage());
                }
            }
        }
    }
}
