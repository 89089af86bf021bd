package io.callflow.flow;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.callflow.acd.AgentState;
import io.callflow.acd.AgentView;
import io.callflow.acd.Agents;
import io.callflow.acd.CallDistributor;
import io.callflow.acd.TransferLog;
import io.callflow.call.AgentLegFailed;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.HangupCause;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Attended and warm transfer: the agent of a connected call consults a target (an agent, the first free agent of a
 * queue, or a number through the outbound trunk) on a new leg of the call while the caller hears music on hold, then
 * completes (the caller is bridged to the target, the first agent goes to wrap-up and the target becomes the call's
 * agent), cancels (back to the caller), or first makes it a three-way conference. The feature owns the target's leg:
 * it keeps its id and takes that leg's events itself, as {@link OriginatedCalls} does; the call's process instance
 * gets every step as a {@code TransferStep} message (a trail in Cockpit) and, on completion, the target as its
 * {@code agentLeg} and {@code connectedAgent}, so records, recording and hang-up follow the target.
 */
@Service
public class Consultations {

    /** The message of the flows' non-interrupting "Transfer step" event sub-process. */
    static final String TRANSFER_STEP = "TransferStep";
    private static final Logger log = LoggerFactory.getLogger(Consultations.class);
    private static final String CALLER_HUNG_UP = "CALLER_HUNG_UP";
    private static final String AGENT_HUNG_UP = "AGENT_HUNG_UP";

    private final CallControl callControl;
    private final Agents agents;
    private final CallDistributor distributor;
    private final TransferLog transferLog;
    private final RuntimeService runtime;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Duration ringTimeout;
    private final Map<CallId, Consultation> consultations = new ConcurrentHashMap<>();

    Consultations(CallControl callControl, Agents agents, CallDistributor distributor, TransferLog transferLog,
            RuntimeService runtime, JdbcTemplate jdbc, TransactionTemplate transactions,
            ApplicationEventPublisher events, Clock clock,
            @Value("${callflow.calls.consult-ring-timeout:PT30S}") Duration ringTimeout) {
        this.callControl = callControl;
        this.agents = agents;
        this.distributor = distributor;
        this.transferLog = transferLog;
        this.runtime = runtime;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.events = events;
        this.clock = clock;
        this.ringTimeout = ringTimeout;
    }

    /**
     * Starts a consultation of the call's connected agent with {@code target} of {@code kind} ({@code agent},
     * {@code queue} or {@code number}): the caller is held with music and the target dialled. Returns the consultation
     * as the API shows it. Refused when the call has no connected agent, is already consulting, or the target cannot
     * be reached now.
     */
    public Map<String, Object> start(String callId, String kind, String target, String actor) {
        CallId call = new CallId(callId);
        ProcessInstance instance = instance(callId);
        Map<String, Object> variables = runtime.getVariables(instance.getId());
        String agentId = text(variables.get("connectedAgent"));
        String agentLeg = text(variables.get(CallEventCorrelator.AGENT_LEG));
        String callerLeg = text(variables.get(CallEventCorrelator.CALLER_LEG));
        boolean talking = agentId != null && agents.find(agentId).filter(agent -> agent.state() == AgentState.ON_CALL
                && callId.equals(agent.currentCall())).isPresent();
        if (!talking || agentLeg == null || callerLeg == null) {
            throw new CallCommandRefused("Call '" + callId + "' is not talking to an agent; only a connected call"
                    + " can be consulted on");
        }
        if (kind.equals("number") && !callControl.canDialOut()) {
            throw new CallCommandRefused("No outbound trunk is configured (callflow.sip.outbound-trunk)");
        }
        if (kind.equals("agent") && target.equals(agentId)) {
            throw new CallCommandRefused("Agent '" + agentId + "' already has the call");
        }
        var consultation = new Consultation(call, agentId, new LegId(agentLeg), new LegId(callerLeg),
                text(variables.get("queue")), kind + ":" + target, new LegId("consult-" + LegId.random().value()));
        if (consultations.putIfAbsent(call, consultation) != null) {
            throw new CallCommandRefused("Call '" + callId + "' is already in a consultation");
        }
        String address;
        try {
            address = transactions.execute(status -> {
                String dialled = kind.equals("number") ? target : reserve(consultation, kind, target);
                step(consultation, ConsultationStep.STARTED, actor, "CONSULT", "with " + consultation.target
                        + (consultation.targetAgent == null ? "" : " (agent " + consultation.targetAgent + ")"),
                        null);
                return dialled;
            });
        } catch (RuntimeException e) {
            consultations.remove(call, consultation);
            throw e;
        }
        log.info("Call {}: agent {} consults {} (by {})", callId, agentId, consultation.target, actor);
        // The agent's leg leaves the caller for the consultation's mix; the caller, alone, hears music on hold.
        callControl.joinMix(call, consultation.agentLeg, consultation.mix(), true);
        callControl.playMusic(call, "default");
        if (kind.equals("number")) {
            callControl.dialOutbound(call, consultation.targetLeg, address, ringTimeout);
        } else {
            callControl.dialAgent(call, consultation.targetLeg, address, ringTimeout);
        }
        return consultation.view();
    }

    /** The consultation of a call, as the API shows it; empty when there is none. */
    public Map<String, Object> find(String callId) {
        Consultation consultation = consultations.get(new CallId(callId));
        return consultation == null ? Map.of() : consultation.view();
    }

    /**
     * Completes the consultation: the caller is bridged to the target, the first agent's leg ends and that agent goes
     * to wrap-up. Refused while the target has not answered.
     */
    public void complete(String callId, String actor) {
        Consultation consultation = require(callId);
        synchronized (consultation) {
            if (consultation.state != State.TALKING && consultation.state != State.CONFERENCE) {
                throw new CallCommandRefused("The consultation's target has not answered yet; cancel it instead");
            }
            complete(consultation, actor);
        }
    }

    /** Cancels the consultation: the target's leg ends and the agent is back with the caller. */
    public void cancel(String callId, String actor) {
        Consultation consultation = require(callId);
        synchronized (consultation) {
            endTarget(consultation, actor, "CANCELLED", "CONSULT_CANCELLED");
        }
    }

    /** Makes the consultation a three-way conference: caller, agent and target all hear each other. */
    public void conference(String callId, String actor) {
        Consultation consultation = require(callId);
        synchronized (consultation) {
            if (consultation.state != State.TALKING) {
                throw new CallCommandRefused(consultation.state == State.CONFERENCE ? "The call is already a"
                        + " three-way conference" : "The consultation's target has not answered yet");
            }
            consultation.state = State.CONFERENCE;
            transactions.executeWithoutResult(status -> step(consultation, null, actor, "CONSULT_CONFERENCE",
                    "caller, " + consultation.agentId + " and " + consultation.target, null));
        }
        callControl.joinMix(consultation.callId, consultation.callerLeg, consultation.mix(), true);
    }

    @EventListener
    void on(LegAnswered event) {
        Consultation consultation = consultations.get(event.callId());
        if (consultation == null || !event.legId().equals(consultation.targetLeg)) {
            return;
        }
        synchronized (consultation) {
            if (consultation.state != State.RINGING) {
                return;
            }
            consultation.state = State.TALKING;
            transactions.executeWithoutResult(status -> {
                if (consultation.targetAgent != null) {
                    agents.consultationAnswered(consultation.targetAgent, consultation.key());
                }
                step(consultation, null, "system", "CONSULT_ANSWERED", consultation.target + " answered", null);
            });
        }
        callControl.joinMix(event.callId(), consultation.targetLeg, consultation.mix(), true);
    }

    @EventListener
    void on(AgentLegFailed event) {
        Consultation consultation = consultations.get(event.callId());
        if (consultation != null && event.legId().equals(consultation.targetLeg)) {
            synchronized (consultation) {
                endTarget(consultation, "system", event.outcome().name(), "CONSULT_FAILED");
            }
        }
    }

    /**
     * Runs before {@link CallEventCorrelator}: when the first agent's phone hangs up during the consultation the call
     * is handed to the target before the flow would take the agent's hang-up as the end of the call.
     */
    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    void on(LegHungUp event) {
        Consultation consultation = consultations.get(event.callId());
        if (consultation == null) {
            return;
        }
        synchronized (consultation) {
            if (consultation.state == State.ENDED) {
                return;
            }
            boolean byItsParty = event.cause() != HangupCause.LOCAL_HANGUP;
            if (event.legId().equals(consultation.targetLeg)) {
                endTarget(consultation, "system", "TARGET_HUNG_UP", "CONSULT_CANCELLED");
            } else if (event.legId().equals(consultation.agentLeg) && byItsParty
                    && (consultation.state == State.TALKING || consultation.state == State.CONFERENCE)) {
                complete(consultation, consultation.agentId);
            } else {
                // The caller or the agent went (or the call is being hung up): the flow ends the call, with its legs.
                endTarget(consultation, "system", event.legId().equals(consultation.agentLeg) ? AGENT_HUNG_UP
                        : CALLER_HUNG_UP, "CONSULT_CANCELLED");
            }
        }
    }

    private void complete(Consultation consultation, String actor) {
        String how = consultation.state == State.CONFERENCE ? "warm" : "attended";
        consultation.state = State.ENDED;
        consultations.remove(consultation.callId, consultation);
        handOver(consultation, actor, how);
        log.info("Call {}: {} transfer from {} to {} completed", consultation.callId, how, consultation.agentId,
                consultation.target);
        callControl.bridge(consultation.callId, consultation.targetLeg);
        callControl.cancelAgentLeg(consultation.callId, consultation.agentLeg);
    }

    /**
     * The completion's records, in one transaction: the process instance's agent leg and agent become the target's,
     * the first agent goes to wrap-up, the target agent holds the call, a TRANSFER row and the step on the trail.
     */
    private void handOver(Consultation consultation, String actor, String how) {
        String callId = consultation.callId.value();
        transactions.executeWithoutResult(status -> {
            Map<String, Object> handOver = new HashMap<>();
            handOver.put(CallEventCorrelator.AGENT_LEG, consultation.targetLeg.value());
            if (consultation.targetAgent != null) {
                handOver.put("connectedAgent", consultation.targetAgent);
            }
            runtime.createProcessInstanceQuery().processInstanceBusinessKey(callId).active().list()
                    .forEach(instance -> runtime.setVariables(instance.getId(), handOver));
            distributor.completed(consultation.callId, consultation.agentId);
            if (consultation.targetAgent != null && !agents.consultationTookOver(consultation.targetAgent,
                    consultation.key(), callId)) {
                // A phone's transfer: the target agent took the consultation call as an agent-to-agent call.
                agents.agentCallTookOver(consultation.targetAgent, callId);
            }
            transferLog.transferred(callId, consultation.queue, consultation.agentId, consultation.target, how);
            consultation.how = how;
            step(consultation, ConsultationStep.COMPLETED, actor, "CONSULT_COMPLETED", how + " transfer from "
                    + consultation.agentId + " to " + consultation.target, null);
        });
    }

    /** Ends the target's side: its leg, its agent (released, or to wrap-up after a talk); the agent has the caller. */
    private void endTarget(Consultation consultation, String actor, String reason, String action) {
        State was = consultation.state;
        if (was == State.ENDED) {
            return;
        }
        consultation.state = State.ENDED;
        consultations.remove(consultation.callId, consultation);
        String callId = consultation.callId.value();
        transactions.executeWithoutResult(status -> {
            if (consultation.targetAgent != null) {
                if (was == State.RINGING) {
                    agents.releaseFromOutboundCall(consultation.targetAgent, consultation.key());
                } else {
                    distributor.completed(new CallId(consultation.key()), consultation.targetAgent);
                }
            }
            step(consultation, ConsultationStep.CANCELLED, actor, action, consultation.target + ": " + reason,
                    reason);
        });
        log.info("Call {}: consultation of {} ended ({})", callId, consultation.target, reason);
        callControl.cancelAgentLeg(consultation.callId, consultation.targetLeg);
        if (!reason.equals(CALLER_HUNG_UP) && !reason.equals(AGENT_HUNG_UP)) {
            callControl.bridge(consultation.callId, consultation.agentLeg);
        }
    }

    /** Reserves the target agent (named, or the first free one of a queue); returns the address to ring. */
    private String reserve(Consultation consultation, String kind, String target) {
        String key = consultation.key();
        String agentId = switch (kind) {
            case "agent" -> agents.takeForConsultation(target, key) ? target : null;
            case "queue" -> agents.takeFromQueueForConsultation(target, key).orElse(null);
            default -> throw new IllegalArgumentException("Unknown consultation target kind '" + kind + "'");
        };
        if (agentId == null) {
            throw new CallCommandRefused(kind.equals("agent") ? "Agent '" + target + "' is not available"
                    : "No agent of queue '" + target + "' is available");
        }
        consultation.targetAgent = agentId;
        return agents.find(agentId).map(AgentView::sipUser).orElseThrow();
    }

    /**
     * Writes a step to the call's timeline ({@code call_action}) and its process instance's trail (message
     * {@value #TRANSFER_STEP}; a flow without the event sub-process just has no trail), and announces the started,
     * completed and cancelled steps. Runs inside the step's transaction.
     */
    private void step(Consultation consultation, String announced, String actor, String action, String detail,
            String reason) {
        String callId = consultation.callId.value();
        jdbc.update("insert into call_action (call_id, at, actor, action, detail) values (?,?,?,?,?)", callId,
                Timestamp.from(clock.instant()), actor, action, detail);
        Map<String, Object> trail = new HashMap<>();
        trail.put("transferStep", action);
        trail.put("transferStepDetail", detail);
        runtime.createMessageCorrelation(TRANSFER_STEP).processInstanceBusinessKey(callId).setVariablesLocal(trail)
                .correlateAllWithResult();
        if (announced != null) {
            events.publishEvent(new ConsultationStep(consultation.callId, announced, consultation.queue,
                    consultation.agentId, consultation.target, consultation.targetAgent, consultation.how, reason,
                    clock.instant()));
        }
    }

    /**
     * Records a transfer an agent's phone completed itself (REFER with Replaces, {@link PhoneTransfers}) as an attended
     * consultation: the STARTED and COMPLETED steps on the call's timeline and trail, the TRANSFER row, the process
     * instance's agent leg and agent handed to the target. The caller of this method moves the legs. Refused while
     * the call has an API consultation of its own.
     */
    void completedByPhone(CallId callId, String agentId, String queue, LegId agentLeg, LegId targetLeg, String target,
            String targetAgent) {
        var consultation = new Consultation(callId, agentId, agentLeg, null, queue, target, targetLeg);
        consultation.targetAgent = targetAgent;
        if (consultations.containsKey(callId)) {
            throw new CallCommandRefused("Call '" + callId.value() + "' is in a consultation started from the API");
        }
        consultation.state = State.ENDED;
        String actor = agentId;
        transactions.executeWithoutResult(status -> step(consultation, ConsultationStep.STARTED, actor, "CONSULT",
                "with " + target + " from the phone" + (targetAgent == null ? "" : " (agent " + targetAgent + ")"),
                null));
        handOver(consultation, actor, "attended");
        log.info("Call {}: attended transfer from {}'s phone to {} completed", callId, agentId, target);
    }

    private Consultation require(String callId) {
        Consultation consultation = consultations.get(new CallId(callId));
        if (consultation == null) {
            throw new CallCommandRefused("Call '" + callId + "' has no consultation in progress");
        }
        return consultation;
    }

    private ProcessInstance instance(String callId) {
        return runtime.createProcessInstanceQuery().processInstanceBusinessKey(callId).active().listPage(0, 1)
                .stream().findFirst().orElseThrow(() -> new CallCommandRefused("Call '" + callId + "' has no"
                        + " running flow"));
    }

    private static String text(Object value) {
        return value == null || value.toString().isBlank() ? null : value.toString();
    }

    private enum State { RINGING, TALKING, CONFERENCE, ENDED }

    /** One call's consultation: who consulted whom on which legs, and how far it got (guarded by itself). */
    private static final class Consultation {
        final CallId callId;
        final String agentId;
        final LegId agentLeg;
        final LegId callerLeg;
        final String queue;
        final String target;
        final LegId targetLeg;
        String targetAgent;
        String how = "attended";
        volatile State state = State.RINGING;

        Consultation(CallId callId, String agentId, LegId agentLeg, LegId callerLeg, String queue, String target,
                LegId targetLeg) {
            this.callId = callId;
            this.agentId = agentId;
            this.agentLeg = agentLeg;
            this.callerLeg = callerLeg;
            this.queue = queue;
            this.target = target;
            this.targetLeg = targetLeg;
        }

        String mix() {
            return "consult-" + callId.value();
        }

        /** What the target agent's row holds until it takes the call over: a row holds one call at a time. */
        String key() {
            return Agents.sideKey(callId.value(), "consult");
        }

        Map<String, Object> view() {
            Map<String, Object> view = new HashMap<>();
            view.put("callId", callId.value());
            view.put("agent", agentId);
            view.put("target", target);
            view.put("targetAgent", targetAgent);
            view.put("state", state.name());
            return view;
        }
    }
}
