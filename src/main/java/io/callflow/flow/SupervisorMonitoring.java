package io.callflow.flow;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.callflow.acd.AgentView;
import io.callflow.acd.Agents;
import io.callflow.call.AgentLegFailed;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import io.callflow.call.MixRole;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Supervisor listen / whisper / barge on a connected call: the supervisor's phone rings on a new leg of the call (this
 * feature keeps its leg id, as {@link OriginatedCalls} does), and once answered caller, agent and supervisor share one
 * mix in which the supervisor's role follows the mode. The supervisor hanging up (or the API ending it) puts caller and
 * agent back on their plain bridge; the caller or the agent hanging up ends the supervisor's leg with the call. Every
 * step is written to the call's timeline ({@code call_action}).
 */
@Service
public class SupervisorMonitoring {

    private static final Logger log = LoggerFactory.getLogger(SupervisorMonitoring.class);
    static final Duration RING = Duration.ofSeconds(30);

    private final CallControl callControl;
    private final LiveCalls live;
    private final Agents agents;
    private final CallCommands commands;
    private final RuntimeService runtime;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Map<CallId, Monitor> monitors = new ConcurrentHashMap<>();

    SupervisorMonitoring(CallControl callControl, LiveCalls live, Agents agents, CallCommands commands,
            RuntimeService runtime, ApplicationEventPublisher events, Clock clock) {
        this.events = events;
        this.clock = clock;
        this.callControl = callControl;
        this.live = live;
        this.agents = agents;
        this.commands = commands;
        this.runtime = runtime;
    }

    /**
     * Rings the phone of agent record {@code phone} to monitor the call in {@code mode}. Refused
     * ({@link CallCommandRefused}) when the call is not connected to an agent or is monitored already.
     */
    public Map<String, Object> start(String callId, MonitorMode mode, String phone, String actor) {
        LiveCall call = live.find(callId).orElseThrow(() -> new CallCommandRefused("Call '" + callId + "' has ended"));
        LegId agentLeg = answeredAgentLeg(callId).orElse(null);
        if (agentLeg == null) {
            throw new CallCommandRefused("Call '" + callId + "' is not connected to an agent (" + call.state() + ")");
        }
        AgentView phoneOwner = agents.find(phone).orElseThrow(
                () -> new IllegalArgumentException("There is no agent record '" + phone + "' to ring"));
        if (phone.equals(call.agent())) {
            throw new CallCommandRefused("Agent '" + phone + "' is the call's own agent");
        }
        CallId id = new CallId(callId);
        Monitor monitor = new Monitor(new LegId("monitor-" + CallId.random().value()), agentLeg, phone, mode, actor,
                call.agent());
        if (monitors.putIfAbsent(id, monitor) != null) {
            throw new CallCommandRefused("Call '" + callId + "' is monitored already");
        }
        record(id, monitor, actor, "MONITOR_START", mode + " from " + phone, "STARTED");
        log.info("Call {}: {} starts to {} from {}'s phone", callId, actor, mode, phone);
        callControl.dialAgent(id, monitor.leg, phoneOwner.sipUser(), RING);
        return view(callId, monitor);
    }

    /** Switches the mode of the call's monitoring; takes effect at once if the supervisor has answered. */
    public Map<String, Object> switchMode(String callId, MonitorMode mode, String actor) {
        CallId id = new CallId(callId);
        Monitor monitor = monitors.get(id);
        if (monitor == null) {
            throw new CallCommandRefused("Call '" + callId + "' is not monitored");
        }
        monitor.mode = mode;
        record(id, monitor, actor, "MONITOR_MODE", mode.name(), "MODE_CHANGED");
        if (monitor.answered) {
            mix(id, monitor);
        }
        return view(callId, monitor);
    }

    /** Ends the call's monitoring: the supervisor's leg ends, caller and agent go on as before. */
    public void stop(String callId, String actor) {
        CallId id = new CallId(callId);
        Monitor monitor = monitors.get(id);
        if (monitor == null) {
            throw new CallCommandRefused("Call '" + callId + "' is not monitored");
        }
        record(id, monitor, actor, "MONITOR_STOP", monitor.mode.name(), "ENDED");
        end(id, monitor, true);
    }

    /** The call's monitoring, if any: its mode, phone and whether the supervisor has answered. */
    public Optional<Map<String, Object>> find(String callId) {
        Monitor monitor = monitors.get(new CallId(callId));
        return Optional.ofNullable(monitor).map(m -> view(callId, m));
    }

    @EventListener
    void on(LegAnswered event) {
        Monitor monitor = monitors.get(event.callId());
        if (monitor != null && monitor.leg.equals(event.legId())) {
            monitor.answered = true;
            callControl.joinMix(event.callId(), null, mixId(event.callId()), MixRole.PARTICIPANT, null);
            callControl.joinMix(event.callId(), monitor.agentLeg, mixId(event.callId()), MixRole.PARTICIPANT, null);
            mix(event.callId(), monitor);
            events.publishEvent(new CallMonitored(event.callId(), "CONNECTED", monitor.mode.name(), monitor.actor,
                    monitor.phone, monitor.agent, clock.instant()));
            log.info("Call {}: supervisor {} joined ({})", event.callId(), monitor.actor, monitor.mode);
        }
    }

    @EventListener
    void on(AgentLegFailed event) {
        Monitor monitor = monitors.get(event.callId());
        if (monitor != null && monitor.leg.equals(event.legId()) && monitors.remove(event.callId(), monitor)) {
            record(event.callId(), monitor, monitor.actor, "MONITOR_FAILED", event.outcome().name(), "FAILED");
        }
    }

    @EventListener
    void on(LegHungUp event) {
        Monitor monitor = monitors.get(event.callId());
        if (monitor == null) {
            return;
        }
        if (monitor.leg.equals(event.legId())) {
            // Only the monitoring ends: caller and agent go back to their bridge.
            if (monitors.remove(event.callId(), monitor)) {
                record(event.callId(), monitor, monitor.actor, "MONITOR_STOP", "supervisor hung up", "ENDED");
                if (monitor.answered) {
                    callControl.bridge(event.callId(), monitor.agentLeg);
                }
            }
        } else if (monitors.containsKey(event.callId())) {
            // The caller or the agent has gone: the call ends, and the supervisor's leg with it.
            record(event.callId(), monitor, monitor.actor, "MONITOR_STOP", "the call ended", "ENDED");
            end(event.callId(), monitor, false);
        }
    }

    private void end(CallId callId, Monitor monitor, boolean rebridge) {
        if (!monitors.remove(callId, monitor)) {
            return;
        }
        callControl.cancelAgentLeg(callId, monitor.leg);
        if (rebridge && monitor.answered) {
            callControl.bridge(callId, monitor.agentLeg);
        }
    }

    /** The step on the call's timeline and as a live event ({@code call.monitored}). */
    private void record(CallId callId, Monitor monitor, String actor, String action, String detail, String event) {
        commands.recordAction(callId.value(), actor, action, detail);
        events.publishEvent(new CallMonitored(callId, event, monitor.mode.name(), monitor.actor, monitor.phone,
                monitor.agent, clock.instant()));
    }

    private void mix(CallId callId, Monitor monitor) {
        callControl.joinMix(callId, monitor.leg, mixId(callId), monitor.mode.role(),
                monitor.mode == MonitorMode.WHISPER ? monitor.agentLeg : null);
    }

    private static String mixId(CallId callId) {
        return "monitor-" + callId.value();
    }

    /** The flow's agent leg, once the agent has answered it (the flow's own record of the offer's outcome). */
    private Optional<LegId> answeredAgentLeg(String callId) {
        ProcessInstance instance = runtime.createProcessInstanceQuery().processInstanceBusinessKey(callId).active()
                .listPage(0, 1).stream().findFirst().orElse(null);
        if (instance == null) {
            return Optional.empty();
        }
        Map<String, Object> variables = runtime.getVariables(instance.getId(),
                java.util.List.of(CallEventCorrelator.AGENT_LEG, FlowMessages.AGENT_OUTCOME));
        return variables.get(CallEventCorrelator.AGENT_LEG) instanceof String leg
                && FlowMessages.ANSWERED.equals(variables.get(FlowMessages.AGENT_OUTCOME))
                ? Optional.of(new LegId(leg)) : Optional.empty();
    }

    private static Map<String, Object> view(String callId, Monitor monitor) {
        return Map.of("callId", callId, "mode", monitor.mode.name(), "phone", monitor.phone, "supervisor",
                monitor.actor, "status", monitor.answered ? "CONNECTED" : "RINGING");
    }

    /** One call's monitoring: the supervisor's leg, the agent's leg it mixes with, its mode and progress. */
    private static final class Monitor {
        final LegId leg;
        final LegId agentLeg;
        final String phone;
        final String actor;
        final String agent;
        volatile MonitorMode mode;
        volatile boolean answered;

        Monitor(LegId leg, LegId agentLeg, String phone, MonitorMode mode, String actor, String agent) {
            this.agent = agent;
            this.leg = leg;
            this.agentLeg = agentLeg;
            this.phone = phone;
            this.mode = mode;
            this.actor = actor;
        }
    }

    /** Whether {@code legId} is the supervisor's leg of the call's monitoring (for keys pressed on it). */
    boolean isMonitorLeg(CallId callId, LegId legId) {
        Monitor monitor = monitors.get(callId);
        return monitor != null && monitor.leg.equals(legId);
    }
}
