package io.callflow.flow;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.callflow.call.AgentLegFailed;
import io.callflow.call.CallArrived;
import io.callflow.call.CallId;
import io.callflow.call.DigitsCollected;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import io.callflow.call.MediaTimedOut;
import io.callflow.call.NoInput;
import io.callflow.call.PlaybackFinished;
import io.callflow.call.TransferRequested;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.Execution;
import org.camunda.bpm.engine.runtime.ExecutionQuery;
import org.camunda.bpm.engine.runtime.MessageCorrelationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers call events to the call's process instance (business key = call id): outcomes of a command resume the task
 * that sent it ({@link AwaitingTask}); call-wide events (hang-up, transfer, end) are BPMN messages. Events arrive in
 * order on the call's lane; an event nobody waits for any more (digits after a hang-up) is dropped with a debug line.
 */
@Component
class CallEventCorrelator {

    static final String CALLER_LEG = "callerLeg";
    static final String AGENT_LEG = "agentLeg";
    private static final Logger log = LoggerFactory.getLogger(CallEventCorrelator.class);

    private final RuntimeService runtimeService;
    // Which leg of each call is the caller's, so a hang-up is correlated once, as what it is: trying both messages
    // cost two failed correlations (each a few queries) for every agent leg that ended after its caller.
    private final Cache<CallId, KnownCall> calls = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofHours(12)).build();
    // A timer job of the same instance may commit first; the engine then asks us to try again.
    private final Retry retry = Retry.of("call-event-correlation", RetryConfig.custom()
            .maxAttempts(5)
            .waitDuration(Duration.ofMillis(20))
            .retryExceptions(OptimisticLockingException.class)
            .build());

    private final TransactionTemplate transactions;

    CallEventCorrelator(RuntimeService runtimeService, TransactionTemplate transactions) {
        this.runtimeService = runtimeService;
        this.transactions = transactions;
    }

    @EventListener
    void on(DigitsCollected event) {
        resume(event.callId(), FlowMessages.DIGITS_COLLECTED, null, Map.of(FlowMessages.DIGITS, event.digits()));
    }

    @EventListener
    void on(NoInput event) {
        resume(event.callId(), FlowMessages.DIGITS_COLLECTED, null, Map.of(FlowMessages.DIGITS, ""));
    }

    @EventListener
    void on(PlaybackFinished event) {
        resume(event.callId(), FlowMessages.PLAYBACK_FINISHED, null, Map.of());
    }

    @EventListener
    void on(LegAnswered event) {
        resume(event.callId(), FlowMessages.AGENT_LEG_RESULT, event.legId().value(),
                Map.of(FlowMessages.AGENT_OUTCOME, FlowMessages.ANSWERED));
    }

    @EventListener
    void on(AgentLegFailed event) {
        resume(event.callId(), FlowMessages.AGENT_LEG_RESULT, event.legId().value(),
                Map.of(FlowMessages.AGENT_OUTCOME, event.outcome().name()));
    }

    @EventListener
    void on(CallArrived event) {
        calls.put(event.callId(), new KnownCall(event.callerLeg(), false));
    }

    @EventListener
    void on(LegHungUp event) {
        String leg = event.legId().value();
        Map<String, Object> cause = Map.of("hangupCause", event.cause().name());
        KnownCall known = calls.getIfPresent(event.callId());
        if (known == null) {
            // A call from before a restart: which leg this is shows only in the process variables.
            if (!correlate(event.callId(), FlowMessages.CALLER_HUNG_UP, CALLER_LEG, leg, cause)) {
                correlate(event.callId(), FlowMessages.CALL_ENDED, AGENT_LEG, leg, cause);
            }
        } else if (known.callerLeg().equals(event.legId())) {
            if (correlate(event.callId(), FlowMessages.CALLER_HUNG_UP, CALLER_LEG, leg, cause)) {
                calls.put(event.callId(), new KnownCall(known.callerLeg(), true));
            }
        } else if (known.callerGone()) {
            // The caller's hang-up already ran the flow's clean-up, which ended this leg: nothing waits for it.
            calls.invalidate(event.callId());
            log.debug("Leg {} of call {} ended after its caller; the flow has cleaned up already", leg,
                    event.callId());
        } else {
            correlate(event.callId(), FlowMessages.CALL_ENDED, AGENT_LEG, leg, cause);
        }
    }

    @EventListener
    void on(MediaTimedOut event) {
        KnownCall known = calls.getIfPresent(event.callId());
        if (known != null && !known.callerLeg().equals(event.legId())) {
            // An agent's leg: the SIP layer hangs it up and reports LegHungUp(MEDIA_TIMEOUT), which ends the call as
            // the agent's BYE would (CallEnded).
            return;
        }
        // A caller whose audio stopped is gone as far as the call centre is concerned.
        correlate(event.callId(), FlowMessages.CALLER_HUNG_UP, CALLER_LEG, event.legId().value(),
                Map.of("hangupCause", "MEDIA_TIMEOUT"));
    }

    @EventListener
    void on(TransferRequested event) {
        correlate(event.callId(), FlowMessages.TRANSFER_REQUESTED, null, null,
                Map.of(FlowMessages.TRANSFER_TARGET, event.target()));
    }

    /** A call's caller leg, and whether the flow has taken the caller's hang-up. */
    private record KnownCall(LegId callerLeg, boolean callerGone) {
    }

    /** Resumes the task of the call waiting for {@code awaited} (for agent outcomes: on that agent leg). */
    private boolean resume(CallId callId, String awaited, String agentLeg, Map<String, Object> variables) {
        // The query and the signal share one transaction: one commit instead of two per resumed task.
        boolean resumed = retry.executeSupplier(() -> Boolean.TRUE.equals(transactions.execute(status -> {
            ExecutionQuery query = runtimeService.createExecutionQuery()
                    .processInstanceBusinessKey(callId.value())
                    .variableValueEquals(AwaitingTask.AWAITING, awaited);
            if (agentLeg != null) {
                query.processVariableValueEquals(AGENT_LEG, agentLeg);
            }
            List<Execution> waiting = query.list();
            waiting.forEach(execution -> runtimeService.signal(execution.getId(), null, null, variables));
            return !waiting.isEmpty();
        })));
        if (!resumed) {
            log.debug("No task of call {} waits for {} any more; dropped", callId, awaited);
        }
        return resumed;
    }

    /** Returns whether a process instance took the message. */
    private boolean correlate(CallId callId, String message, String legVariable, String legId,
            Map<String, Object> variables) {
        boolean taken = retry.executeSupplier(() -> {
            MessageCorrelationBuilder correlation = runtimeService.createMessageCorrelation(message)
                    .processInstanceBusinessKey(callId.value())
                    .setVariables(variables);
            if (legVariable != null) {
                correlation.processInstanceVariableEquals(legVariable, legId);
            }
            return !correlation.correlateAllWithResult().isEmpty();
        });
        if (!taken) {
            log.debug("No flow of call {} waits for {} any more; dropped", callId, message);
        }
        return taken;
    }
}
