package io.callflow.flow;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.callflow.acd.Agents;
import io.callflow.acd.CallDistributor;
import io.callflow.call.AgentLegFailed;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Click-to-call: an agent's outbound call. The agent is taken (RESERVED) and a call record (direction
 * {@code outbound}) written in one transaction, then the agent's phone rings; when the agent answers (ON_CALL) the
 * number is dialled through the outbound trunk, and when it answers the two are bridged. When either side hangs up,
 * or a leg fails, the other leg is hung up, the record closed and the agent released (wrap-up after a talk). The
 * call's events arrive on its lane, in order; no process instance runs for it.
 */
@Service
public class OriginatedCalls {

    private static final Logger log = LoggerFactory.getLogger(OriginatedCalls.class);
    static final Duration AGENT_RING = Duration.ofSeconds(30);
    static final Duration NUMBER_RING = Duration.ofSeconds(60);

    private final CallControl callControl;
    private final Agents agents;
    private final CallDistributor distributor;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final String node;
    private final Map<CallId, Outbound> calls = new ConcurrentHashMap<>();

    private final ApplicationEventPublisher events;
    private final CallRecords records;

    OriginatedCalls(CallControl callControl, Agents agents, CallDistributor distributor, JdbcTemplate jdbc,
            TransactionTemplate transactions, Clock clock, @Value("${callflow.node-id:local}") String node,
            ApplicationEventPublisher events, CallRecords records) {
        this.events = events;
        this.records = records;
        this.callControl = callControl;
        this.agents = agents;
        this.distributor = distributor;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.node = node;
    }

    /** Whether outbound calls can be placed (an outbound trunk is configured). */
    public boolean canDialOut() {
        return callControl.canDialOut();
    }

    /**
     * Places a call from the agent (its phone {@code sipUser} rings first) to {@code number}; returns the new call's
     * id. Refused when the agent is not available.
     */
    public String originate(String agentId, String sipUser, String number, String actor) {
        CallId callId = CallId.random();
        var call = new Outbound(agentId, new LegId("agent-" + callId), new LegId("number-" + callId), number);
        transactions.executeWithoutResult(status -> {
            if (!agents.takeForOutboundCall(agentId, callId.value())) {
                throw new CallCommandRefused("Agent '" + agentId + "' is not available for a call");
            }
            Instant now = clock.instant();
            jdbc.update("insert into call_record (call_id, caller, did, trunk, flow_key, started_at, owner_node,"
                    + " direction) values (?,?,?,?,?,?,?,?)", callId.value(), sipUser, number, "outbound", null,
                    Timestamp.from(now), node, "outbound");
            // Announced in the record's transaction, as for inbound calls (events module, outbox).
            events.publishEvent(new CallRecordOpened(callId, sipUser, number, "outbound", null, now, true));
            jdbc.update("insert into call_action (call_id, at, actor, action, detail) values (?,?,?,?,?)",
                    callId.value(), Timestamp.from(clock.instant()), actor, "ORIGINATE",
                    "agent " + agentId + " to " + number);
        });
        calls.put(callId, call);
        log.info("Call {}: agent {} calls {} (click-to-call by {})", callId, agentId, number, actor);
        callControl.originate(callId, call.agentLeg(), sipUser, number, AGENT_RING);
        return callId.value();
    }

    /** Notes the hang-up cause an operator's hang-up gives an outbound call; false when it is not one. */
    boolean hungUpBy(String callId, String cause) {
        Outbound call = calls.get(new CallId(callId));
        if (call == null) {
            return false;
        }
        call.hangupCause = cause;
        return true;
    }

    @EventListener
    void on(LegAnswered event) {
        Outbound call = calls.get(event.callId());
        if (call == null) {
            return;
        }
        if (event.legId().equals(call.agentLeg())) {
            agents.outboundCallAnswered(call.agentId(), event.callId().value());
            call.agentAnswered = true;
            callControl.dialOutbound(event.callId(), call.numberLeg(), call.number(), NUMBER_RING);
        } else if (event.legId().equals(call.numberLeg())) {
            jdbc.update("update call_record set answered_at = ? where call_id = ?", Timestamp.from(clock.instant()),
                    event.callId().value());
            call.numberAnswered = true;
            // The agent's leg plays the caller's part for the media (it was dialled first), so the leg to bridge it
            // to is the number's; bridging the agent's leg joined it to itself and the two never heard each other.
            callControl.bridge(event.callId(), call.numberLeg());
        }
    }

    @EventListener
    void on(AgentLegFailed event) {
        Outbound call = calls.get(event.callId());
        if (call != null) {
            end(event.callId(), call, call.agentAnswered ? "NOT_REACHED" : "AGENT_NO_ANSWER", event.outcome().name());
        }
    }

    @EventListener
    void on(LegHungUp event) {
        Outbound call = calls.get(event.callId());
        if (call != null) {
            end(event.callId(), call, call.numberAnswered ? "COMPLETED" : "CANCELLED", event.cause().name());
        }
    }

    /** Ends the call once: the other leg hung up, the record closed, the agent released. */
    private void end(CallId callId, Outbound call, String outcome, String cause) {
        if (calls.remove(callId) == null) {
            return;
        }
        callControl.hangUp(callId);
        transactions.executeWithoutResult(status -> {
            records.closeWithoutFlow(callId, outcome, call.hangupCause != null ? call.hangupCause : cause,
                    call.agentId());
            if (call.agentAnswered) {
                distributor.completed(callId, call.agentId());
            } else {
                agents.releaseFromOutboundCall(call.agentId(), callId.value());
            }
        });
        log.info("Call {}: outbound call ended ({}, {})", callId, outcome, cause);
    }

    /** An outbound call in progress: its agent, legs and number, and how far it got. */
    private static final class Outbound {
        private final String agentId;
        private final LegId agentLeg;
        private final LegId numberLeg;
        private final String number;
        volatile boolean agentAnswered;
        volatile boolean numberAnswered;
        volatile String hangupCause;

        Outbound(String agentId, LegId agentLeg, LegId numberLeg, String number) {
            this.agentId = agentId;
            this.agentLeg = agentLeg;
            this.numberLeg = numberLeg;
            this.number = number;
        }

        String agentId() {
            return agentId;
        }

        LegId agentLeg() {
            return agentLeg;
        }

        LegId numberLeg() {
            return numberLeg;
        }

        String number() {
            return number;
        }
    }
}
