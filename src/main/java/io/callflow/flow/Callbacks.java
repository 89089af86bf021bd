package io.callflow.flow;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.callflow.acd.Agents;
import io.callflow.acd.CallDistributor;
import io.callflow.acd.CallbackSettings;
import io.callflow.acd.CallbackView;
import io.callflow.acd.QueuedCallbacks;
import io.callflow.call.AgentLegFailed;
import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import org.camunda.bpm.engine.RuntimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Queued callbacks, the call side: a waiting caller's request starts a {@code callback} process (processes/
 * callback.bpmn) whose callback takes the caller's place in the queue; when an agent is reserved for it the process
 * asks for an attempt, which rings the agent's phone and, once the agent answers, dials the customer through the
 * outbound trunk (agent-first; customer-first dials the customer, plays music, then rings the agent), and bridges the
 * two. How an attempt ended reaches the process as the message
 * {@code CallbackAttempted} ({@code callbackOutcome}), the end of a connected callback as {@code CallbackEnded}. The
 * callback id is the process business key and the call id of every attempt (one attempt at a time), so the start-up
 * reconciliation sees an attempt's agent as held by a live call while it runs.
 */
@Service
public class Callbacks {

    static final String PROCESS = "callback";
    static final String CALLBACK_ATTEMPTED = "CallbackAttempted";
    static final String CALLBACK_ENDED = "CallbackEnded";
    static final String CALLBACK_CANCELLED = "CallbackCancelled";
    static final String OUTCOME = "callbackOutcome";
    /** The agent did not answer (or hung up before the customer did): the callback waits for an agent again. */
    static final String AGENT_NOT_REACHED = "AGENT_NOT_REACHED";
    /** The attempt died with its node: the callback waits for an agent again. */
    static final String LOST = "LOST";
    static final String CONNECTED = "CONNECTED";
    static final Duration CUSTOMER_RING = Duration.ofSeconds(45);
    /** Who the customer sees calling when they are dialled first (no agent is on the line yet). */
    static final String CALLER_ID = "callflow";
    private static final Logger log = LoggerFactory.getLogger(Callbacks.class);

    private final QueuedCallbacks queued;
    private final CallDistributor distributor;
    private final Agents agents;
    private final CallControl callControl;
    private final RuntimeService runtimeService;
    private final TransactionTemplate transactions;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Map<CallId, Attempt> attempts = new ConcurrentHashMap<>();

    Callbacks(QueuedCallbacks queued, CallDistributor distributor, Agents agents, CallControl callControl,
            RuntimeService runtimeService, TransactionTemplate transactions, JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.queued = queued;
        this.distributor = distributor;
        this.agents = agents;
        this.callControl = callControl;
        this.runtimeService = runtimeService;
        this.transactions = transactions;
    }

    /**
     * In the caller's flow transaction: the waiting call {@code callId} hands its place to a new callback towards
     * {@code number}, whose process starts. Empty when the call no longer waits (an agent was just reserved for it).
     */
    Optional<String> request(CallId callId, String number, String language) {
        String callbackId = CallId.random().value();
        Optional<CallbackView> taken = queued.takePlace(callId.value(), callbackId, number);
        if (taken.isEmpty()) {
            return Optional.empty();
        }
        CallbackView callback = taken.get();
        CallbackSettings settings = queued.settings(callback.queue());
        Map<String, Object> variables = new HashMap<>();
        variables.put("callbackId", callbackId);
        variables.put("originalCallId", callId.value());
        variables.put("queue", callback.queue());
        variables.put("number", number);
        // The call record of the callback: the customer is the "caller", the queue its "did".
        variables.put("caller", number);
        variables.put("did", callback.queue());
        variables.put("language", language);
        variables.put("retries", settings.retries());
        variables.put("retryDelay", settings.retryDelay().toString());
        variables.put("expiresAt", Date.from(callback.expiresAt()));
        variables.put("order", settings.order());
        variables.put("attempts", 0);
        runtimeService.startProcessInstanceByKey(PROCESS, callbackId, variables);
        log.info("Call {}: callback {} to {} keeps its place in queue {}", callId, callbackId, number,
                callback.queue());
        return Optional.of(callbackId);
    }

    /**
     * In the callback process's transaction: an attempt with the reserved agent; the agent's phone rings once the
     * transaction commits. Returns the attempt's number.
     */
    int attempt(String callbackId, String agentId, String agentAddress, String number, boolean agentFirst,
            Duration ringTimeout) {
        CallId id = new CallId(callbackId);
        int attempt = queued.attemptStarted(callbackId, agentId);
        var call = new Attempt(agentId, agentAddress, new LegId("agent-" + callbackId + "-" + attempt),
                new LegId("customer-" + callbackId + "-" + attempt), number, agentFirst, ringTimeout);
        if (agentFirst) {
            distributor.offerRinging(id, agentId);
        }
        AfterCommit.run(() -> {
            attempts.put(id, call);
            log.info("Callback {}: attempt {}, {} first (agent {}, customer {})", callbackId, attempt,
                    agentFirst ? "agent" : "customer", agentId, number);
            if (agentFirst) {
                callControl.originate(id, call.agentLeg, agentAddress, number, ringTimeout);
            } else {
                callControl.originateToNumber(id, call.customerLeg, number, CALLER_ID, CUSTOMER_RING);
            }
        });
        return attempt;
    }

    /** In the callback process's transaction: the callback waits for its place again. */
    void requeue(String callbackId) {
        queued.requeue(callbackId);
    }

    /** In the callback process's transaction: the callback is over. */
    void finish(String callbackId, String state) {
        queued.finish(callbackId, state);
    }

    /** Cancels a callback that waits for its turn; false when it cannot be (attempt under way, or over). */
    public boolean cancel(String callbackId) {
        return Boolean.TRUE.equals(transactions.execute(status -> {
            if (!queued.cancel(callbackId)) {
                return false;
            }
            runtimeService.createMessageCorrelation(CALLBACK_CANCELLED).processInstanceBusinessKey(callbackId)
                    .correlateAllWithResult();
            return true;
        }));
    }

    /**
     * The reconciliation found {@code callId} without signalling: when it is a callback, its attempt died (with the
     * node, say); the agent is released and the callback waits for its place again, or, when it had connected,
     * completes. Returns the agents released, or empty when {@code callId} is no callback.
     */
    Optional<List<String>> lost(CallId callId, String outcome) {
        if (!queued.isCallback(callId.value())) {
            return Optional.empty();
        }
        attempts.remove(callId);
        return Optional.of(transactions.execute(status -> {
            List<String> released = distributor.callLost(callId);
            if (!report(callId, LOST) && runtimeService.createMessageCorrelation(CALLBACK_ENDED)
                    .processInstanceBusinessKey(callId.value()).correlateAllWithResult().isEmpty()) {
                queued.requeue(callId.value());
            }
            log.warn("Callback {}: its attempt was lost ({}); {} agent(s) released", callId, outcome,
                    released.size());
            return released;
        }));
    }

    @EventListener
    void on(LegAnswered event) {
        Attempt call = attempts.get(event.callId());
        if (call == null) {
            return;
        }
        if (event.legId().equals(call.agentLeg)) {
            agents.outboundCallAnswered(call.agentId, event.callId().value());
            call.agentAnswered = true;
            if (call.agentFirst) {
                callControl.dialOutbound(event.callId(), call.customerLeg, call.number, CUSTOMER_RING);
            }
        } else if (event.legId().equals(call.customerLeg)) {
            call.customerAnswered = true;
            if (!call.agentFirst) {
                // The customer waits with music while the reserved agent's phone rings.
                callControl.playMusic(event.callId(), "default");
                distributor.offerRinging(event.callId(), call.agentId);
                callControl.dialAgent(event.callId(), call.agentLeg, call.agentAddress, call.ringTimeout);
            }
        }
        if (call.agentAnswered && call.customerAnswered) {
            // The first leg dialled plays the caller's part for the media; the bridge joins it to the other one.
            callControl.bridge(event.callId(), call.agentFirst ? call.customerLeg : call.agentLeg);
            transactions.executeWithoutResult(status -> {
                queued.connected(event.callId().value(), call.agentId);
                Instant now = clock.instant();
                // Seen at once in the live record; the flow's variables give the closed record the same.
                jdbc.update("update call_record set answered_at = ?, agent = ? where call_id = ?",
                        Timestamp.from(now), call.agentId, event.callId().value());
                report(event.callId(), CONNECTED, Map.of("connectedAt", Date.from(now), "connectedAgent",
                        call.agentId));
            });
        }
    }

    @EventListener
    void on(AgentLegFailed event) {
        Attempt call = attempts.get(event.callId());
        if (call == null || attempts.remove(event.callId()) == null) {
            return;
        }
        callControl.hangUp(event.callId());
        transactions.executeWithoutResult(status -> {
            if (event.legId().equals(call.customerLeg)) {
                if (call.agentAnswered) {
                    // The agent talked to nobody: no wrap-up is due (no CONNECT in the queue log means none is given).
                    distributor.completed(event.callId(), call.agentId);
                } else {
                    agents.releaseFromOutboundCall(call.agentId, event.callId().value());
                }
                report(event.callId(), customerOutcome(event.outcome()));
            } else {
                distributor.offerFailed(event.callId(), call.agentId, event.outcome());
                report(event.callId(), AGENT_NOT_REACHED);
            }
        });
    }

    @EventListener
    void on(LegHungUp event) {
        Attempt call = attempts.get(event.callId());
        if (call == null || attempts.remove(event.callId()) == null) {
            return;
        }
        callControl.hangUp(event.callId());
        transactions.executeWithoutResult(status -> {
            if (call.agentAnswered) {
                distributor.completed(event.callId(), call.agentId);
            } else {
                agents.releaseFromOutboundCall(call.agentId, event.callId().value());
            }
            if (call.agentAnswered && call.customerAnswered) {
                runtimeService.createMessageCorrelation(CALLBACK_ENDED)
                        .processInstanceBusinessKey(event.callId().value())
                        .setVariable("hangupCause", event.cause().name()).correlateAllWithResult();
            } else if (call.customerAnswered) {
                // Customer first: they hung up before the agent came on the line; a retry may still reach them.
                report(event.callId(), "CUSTOMER_HUNG_UP");
            } else {
                report(event.callId(), AGENT_NOT_REACHED);
            }
        });
    }

    /** Tells the callback process how its attempt ended; false when it was not waiting for one. */
    private boolean report(CallId callbackId, String outcome) {
        return report(callbackId, outcome, Map.of());
    }

    private boolean report(CallId callbackId, String outcome, Map<String, Object> variables) {
        queued.attemptEnded(callbackId.value(), outcome);
        return !runtimeService.createMessageCorrelation(CALLBACK_ATTEMPTED)
                .processInstanceBusinessKey(callbackId.value())
                .setVariables(variables)
                .setVariable(OUTCOME, outcome).correlateAllWithResult().isEmpty();
    }

    private static String customerOutcome(AgentLegOutcome outcome) {
        return switch (outcome) {
            case BUSY -> "CUSTOMER_BUSY";
            case RING_TIMEOUT, NO_RESPONSE -> "CUSTOMER_NO_ANSWER";
            default -> "CUSTOMER_NOT_REACHED";
        };
    }

    /** An attempt in progress: its agent, legs and number, and how far it got. */
    private static final class Attempt {
        private final String agentId;
        private final String agentAddress;
        private final LegId agentLeg;
        private final LegId customerLeg;
        private final String number;
        private final boolean agentFirst;
        private final Duration ringTimeout;
        volatile boolean agentAnswered;
        volatile boolean customerAnswered;

        Attempt(String agentId, String agentAddress, LegId agentLeg, LegId customerLeg, String number,
                boolean agentFirst, Duration ringTimeout) {
            this.agentId = agentId;
            this.agentAddress = agentAddress;
            this.agentLeg = agentLeg;
            this.customerLeg = customerLeg;
            this.number = number;
            this.agentFirst = agentFirst;
            this.ringTimeout = ringTimeout;
        }
    }
}
