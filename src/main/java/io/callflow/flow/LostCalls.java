package io.callflow.flow;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.callflow.acd.CallDistributor;
import io.callflow.call.CallId;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Ends a call whose signalling is gone for good (the JVM that held its dialogs died, or its events could not be
 * applied): its flow takes the caller's hang-up, so the analyst's own clean-up runs, and where no flow takes it the
 * process instance is cancelled; either way the record is closed with the given outcome (e.g. {@code NODE_LOST}),
 * the call leaves its queue with a queue_log row and every agent it held is released. One transaction per call, so a
 * failure (the database away again) leaves the call to the next reconciliation, never half-ended.
 */
@Component
class LostCalls {

    private static final Logger log = LoggerFactory.getLogger(LostCalls.class);

    private final RuntimeService runtimeService;
    private final CallDistributor distributor;
    private final CallRecords records;
    private final TransactionTemplate transactions;
    private final Callbacks callbacks;

    LostCalls(RuntimeService runtimeService, CallDistributor distributor, CallRecords records,
            TransactionTemplate transactions, Callbacks callbacks) {
        this.callbacks = callbacks;
        this.runtimeService = runtimeService;
        this.distributor = distributor;
        this.records = records;
        this.transactions = transactions;
    }

    /** Ends the call; returns the agents that were held by it (now released). */
    List<String> end(CallId callId, String outcome) {
        // A callback's caller hung up on purpose: only its attempt died, the callback itself goes on.
        Optional<List<String>> callback = callbacks.lost(callId, outcome);
        if (callback.isPresent()) {
            return callback.get();
        }
        return transactions.execute(status -> {
            // The ACD first: the flow's own clean-up then finds the queue place gone and the agent in wrap-up, so the
            // queue log says CALL_LOST, not ABANDON (an abandon rate must count callers who gave up, not crashes).
            List<String> agents = distributor.callLost(callId);
            List<ProcessInstance> instances = runtimeService.createProcessInstanceQuery()
                    .processInstanceBusinessKey(callId.value()).list();
            for (ProcessInstance instance : instances) {
                runtimeService.setVariables(instance.getId(),
                        Map.of(CallRecords.LOST_OUTCOME, outcome, "hangupCause", outcome));
            }
            boolean taken = !instances.isEmpty() && !runtimeService.createMessageCorrelation(
                            FlowMessages.CALLER_HUNG_UP)
                    .processInstanceBusinessKey(callId.value())
                    .setVariable("hangupCause", outcome)
                    .correlateAllWithResult().isEmpty();
            if (!taken) {
                // A flow without a hang-up path (or not waiting where one applies) cannot end itself: its caller is
                // gone. Cancelling runs the record plugin's end listener, which closes the record.
                for (ProcessInstance instance : instances) {
                    runtimeService.deleteProcessInstance(instance.getId(), outcome, false, true);
                }
            }
            boolean recordClosed = records.closeLost(callId.value(), outcome);
            log.warn("Call {} ended as {}: flow {}, {} agent(s) released{}", callId, outcome,
                    instances.isEmpty() ? "already gone" : taken ? "ran its hang-up path" : "cancelled",
                    agents.size(), recordClosed ? ", record closed" : "");
            return agents;
        });
    }
}
