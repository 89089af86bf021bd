package io.callflow.flow;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.callflow.acd.AgentDialPlans;
import io.callflow.acd.AgentFeature;
import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.acd.CallDistributor;
import io.callflow.call.AgentCallPlaced;
import io.callflow.call.AgentLegFailed;
import io.callflow.call.AgentRoute;
import io.callflow.call.CallArrived;
import io.callflow.call.CallControl;
import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import io.callflow.call.PlaybackFinished;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Calls agents place from their phones, as the dial plan routed them: another agent (internal), an outside number
 * through an outbound trunk (outbound), a queue number (the inbound flow starts with the agent as caller) or a
 * feature code (run, confirmed with a short prompt, hung up). The calling agent counts as on a call meanwhile (and so
 * does a called agent), every internal or outbound call has a call record, and when either side hangs up or a leg
 * fails the other is ended, the record closed and the agents released. Events arrive on the call's lane, in order.
 */
@Service
public class AgentPlacedCalls {

    private static final Logger log = LoggerFactory.getLogger(AgentPlacedCalls.class);
    static final Duration AGENT_RING = Duration.ofSeconds(30);
    static final Duration NUMBER_RING = Duration.ofSeconds(60);
    static final String CONFIRMATION_PROMPT = "goodbye";
    private static final EnumSet<AgentState> BUSY = EnumSet.of(AgentState.RESERVED, AgentState.RINGING,
            AgentState.ON_CALL);

    private final CallControl callControl;
    private final AgentDialPlans dialPlans;
    private final Agents agents;
    private final CallDistributor distributor;
    private final CallEventPublisher callEvents;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final String node;
    private final ApplicationEventPublisher events;
    private final Map<CallId, Placed> calls = new ConcurrentHashMap<>();
    private final CallRecords records;

    AgentPlacedCalls(CallControl callControl, AgentDialPlans dialPlans, Agents agents, CallDistributor distributor,
            CallEventPublisher callEvents, JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock,
            @Value("${callflow.node-id:local}") String node, ApplicationEventPublisher events, CallRecords records) {
        this.records = records;
        this.callControl = callControl;
        this.dialPlans = dialPlans;
        this.agents = agents;
        this.distributor = distributor;
        this.callEvents = callEvents;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.node = node;
        this.events = events;
    }

    /** What kind of call an agent placed. */
    private enum Kind { FEATURE, INTERNAL, OUTBOUND, QUEUE }

    /** A call in progress: who placed it, its outgoing leg, and how far it got. */
    private static final class Placed {
        final Kind kind;
        final String agentId;
        final LegId leg;
        final String target;
        /** The number dialled (an outbound call's, after the dial plan's rewriting). */
        volatile String to;
        volatile boolean callerTaken;
        volatile boolean answered;

        Placed(Kind kind, String agentId, LegId leg, String target) {
            this.kind = kind;
            this.agentId = agentId;
            this.leg = leg;
            this.target = target;
        }
    }

    @EventListener
    void on(AgentCallPlaced event) {
        CallId callId = event.callId();
        String agentId = dialPlans.agentOf(event.sipUser()).orElse(null);
        if (agentId == null) {
            callControl.reject(callId, 403, "Not an agent");
            return;
        }
        try {
            AgentRoute route = event.route();
            if (route instanceof AgentRoute.Feature feature) {
                feature(callId, agentId, feature);
            } else if (route instanceof AgentRoute.ToAgent agent) {
                connect(event, agentId, Kind.INTERNAL, agent.agentId(), event.dialled(),
                        leg -> callControl.dialAgent(callId, leg, agent.sipUser(), AGENT_RING));
            } else if (route instanceof AgentRoute.ToTrunk trunk) {
                connect(event, agentId, Kind.OUTBOUND, null, trunk.number(), leg -> callControl.dialTrunk(callId, leg,
                        trunk.trunk(), trunk.number(), trunk.callerId(), NUMBER_RING));
            } else if (route instanceof AgentRoute.ToQueue queue) {
                queue(event, agentId, queue);
            } else if (route instanceof AgentRoute.Refused refused) {
                callControl.reject(callId, refused.status(), refused.reason());
            }
        } catch (CallCommandRefused refused) {
            callControl.reject(callId, 486, refused.getMessage());
        }
    }

    private void feature(CallId callId, String agentId, AgentRoute.Feature feature) {
        try {
            String outcome = dialPlans.runFeature(agentId, feature);
            log.info("Call {}: agent {} used feature code {} ({}): {}", callId, agentId, feature.code(),
                    feature.feature(), outcome);
        } catch (AgentFeature.Refused refused) {
            callControl.reject(callId, 403, refused.getMessage());
            return;
        }
        calls.put(callId, new Placed(Kind.FEATURE, agentId, null, feature.code()));
        callControl.answer(callId);
        callControl.play(callId, List.of(CONFIRMATION_PROMPT), "en", false);
    }

    private interface Dial {
        void leg(LegId leg);
    }

    private void connect(AgentCallPlaced event, String agentId, Kind kind, String calledAgent, String to, Dial dial) {
        CallId callId = event.callId();
        var call = new Placed(kind, agentId, new LegId("placed-" + callId), calledAgent);
        transactions.executeWithoutResult(status -> {
            call.callerTaken = takeCaller(agentId, callId);
            if (calledAgent != null && !agents.takeForAgentCall(calledAgent, callId.value(), "internal call from " + agentId)) {
                throw new CallCommandRefused("Agent busy");
            }
            Instant now = clock.instant();
            String direction = kind == Kind.INTERNAL ? "internal" : "outbound";
            jdbc.update("insert into call_record (call_id, caller, did, trunk, flow_key, started_at, owner_node,"
                    + " direction, agent) values (?,?,?,?,?,?,?,?,?)", callId.value(), event.sipUser(), to,
                    kind == Kind.INTERNAL ? "internal" : "outbound", null, Timestamp.from(now), node, direction,
                    agentId);
            events.publishEvent(new CallRecordOpened(callId, event.sipUser(), to, direction, null, now, true));
        });
        call.to = to;
        calls.put(callId, call);
        log.info("Call {}: agent {} calls {} ({})", callId, agentId, to, kind);
        dial.leg(call.leg);
    }

    /** The calling agent: taken (RESERVED with this call) when available; refused when busy with another call. */
    private boolean takeCaller(String agentId, CallId callId) {
        if (agents.stateOf(agentId).filter(state -> state == AgentState.ON_CALL).isPresent()) {
            // A consultation from the phone: the agent holds its caller and calls someone to hand the caller to
            // (PhoneTransfers); the agent stays with its first call, this one does not take it.
            return false;
        }
        if (agents.stateOf(agentId).filter(BUSY::contains).isPresent()) {
            throw new CallCommandRefused("Agent busy");
        }
        return agents.takeForOutboundCall(agentId, callId.value());
    }

    private void queue(AgentCallPlaced event, String agentId, AgentRoute.ToQueue queue) {
        if (agents.stateOf(agentId).filter(BUSY::contains).isPresent()) {
            throw new CallCommandRefused("Agent busy");
        }
        var call = new Placed(Kind.QUEUE, agentId, null, queue.queue());
        call.callerTaken = agents.takeForAgentCall(agentId, event.callId().value(), "calling queue " + queue.queue());
        calls.put(event.callId(), call);
        log.info("Call {}: agent {} calls queue {} (number {}) -> flow {}", event.callId(), agentId, queue.queue(),
                queue.number(), queue.flowKey());
        // From here it is an inbound call like any other: the flow answers, routes and queues it.
        callEvents.publish(new CallArrived(event.callId(), event.callerLeg(), event.sipUser(), queue.number(),
                "agent", queue.flowKey(), clock.instant()));
    }

    @EventListener
    void on(PlaybackFinished event) {
        Placed call = calls.get(event.callId());
        if (call != null && call.kind == Kind.FEATURE) {
            callControl.hangUp(event.callId());
        }
    }

    @EventListener
    void on(LegAnswered event) {
        Placed call = calls.get(event.callId());
        if (call == null || call.leg == null || !event.legId().equals(call.leg)) {
            return;
        }
        call.answered = true;
        callControl.answer(event.callId());
        callControl.bridge(event.callId(), call.leg);
        transactions.executeWithoutResult(status -> {
            jdbc.update("update call_record set answered_at = ? where call_id = ?", Timestamp.from(clock.instant()),
                    event.callId().value());
            if (call.callerTaken) {
                agents.outboundCallAnswered(call.agentId, event.callId().value());
            }
            if (call.kind == Kind.INTERNAL) {
                agents.agentCallAnswered(call.target, event.callId().value(), "internal call from " + call.agentId);
            }
        });
    }

    @EventListener
    void on(AgentLegFailed event) {
        Placed call = calls.get(event.callId());
        if (call == null || call.leg == null || !event.legId().equals(call.leg)) {
            return;
        }
        // The phone hears why, as a PBX would tell it (RFC 3261 section 21).
        switch (event.outcome()) {
            case BUSY -> callControl.reject(event.callId(), 486, "Busy here");
            case DECLINED -> callControl.reject(event.callId(), 603, "Declined");
            case RING_TIMEOUT, NO_RESPONSE -> callControl.reject(event.callId(), 480, "No answer");
            default -> callControl.reject(event.callId(), 480, "Not reachable");
        }
        end(event.callId(), call, call.kind == Kind.INTERNAL ? "NO_ANSWER" : "NOT_REACHED", event.outcome().name());
    }

    @EventListener
    void on(LegHungUp event) {
        Placed call = calls.get(event.callId());
        if (call != null) {
            end(event.callId(), call, call.answered ? "COMPLETED" : "CANCELLED", event.cause().name());
        }
    }

    /** Ends the call once: the other leg hung up, the record closed, the agents released. */
    private void end(CallId callId, Placed call, String outcome, String cause) {
        if (calls.remove(callId) == null) {
            return;
        }
        if (call.kind == Kind.QUEUE) {
            // The flow owns the call and its record; only the calling agent is this service's to release.
            if (call.callerTaken) {
                agents.releaseFromAgentCall(call.agentId, callId.value());
            }
            return;
        }
        callControl.hangUp(callId);
        if (call.kind == Kind.FEATURE) {
            return;
        }
        transactions.executeWithoutResult(status -> {
            records.closeWithoutFlow(callId, outcome, cause, call.agentId);
            if (call.callerTaken && call.answered) {
                distributor.completed(callId, call.agentId);
            } else if (call.callerTaken) {
                agents.releaseFromOutboundCall(call.agentId, callId.value());
            }
            if (call.target != null && call.kind == Kind.INTERNAL) {
                agents.releaseFromAgentCall(call.target, callId.value());
            }
        });
        log.info("Call {}: agent-placed call ended ({}, {})", callId, outcome, cause);
    }

    /** A call an agent placed, handed over to that agent's attended transfer: whom it reached. */
    record HandedOver(String calledAgent, String target) {
    }

    /**
     * Hands an answered internal or outbound call {@code agentId} placed over to a transfer from its phone
     * (PhoneTransfers): it stops being this service's (its legs' events are ignored from now on), its record is closed
     * as TRANSFERRED and the called agent stays on the call it is handed. Empty when the call is not such a call.
     */
    java.util.Optional<HandedOver> handOver(CallId callId, String agentId) {
        Placed call = calls.get(callId);
        if (call == null || !call.answered || !call.agentId.equals(agentId)
                || (call.kind != Kind.INTERNAL && call.kind != Kind.OUTBOUND) || !calls.remove(callId, call)) {
            return java.util.Optional.empty();
        }
        records.closeWithoutFlow(callId, "TRANSFERRED", "TRANSFERRED", call.agentId);
        if (call.callerTaken) {
            distributor.completed(callId, call.agentId);
        }
        return java.util.Optional.of(new HandedOver(call.kind == Kind.INTERNAL ? call.target : null,
                call.kind == Kind.INTERNAL ? "agent:" + call.target : "number:" + call.to));
    }
}
