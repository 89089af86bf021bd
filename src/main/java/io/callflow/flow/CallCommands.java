package io.callflow.flow;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import io.callflow.acd.Agents;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Operators' commands for a live call (the operations API): the flow owns every change of where the call goes, so a
 * hang-up and transfers are BPMN messages its process reacts to, while recording goes straight to the call layer's
 * {@link CallControl}. Every command is written to {@code call_action} for the call's timeline. The caller checks
 * first that the call is live on this node ({@link #isLiveHere}).
 */
@Service
public class CallCommands {

    /** The call record's hang-up cause when an operator hung the call up. */
    public static final String API_HANGUP = "API_HANGUP";
    /** The process message that moves a call from its flow into a blind transfer (event sub-process). */
    static final String OPERATOR_TRANSFER = "OperatorTransfer";
    /** The process message that moves a waiting call to another queue (boundary event of "Wait in queue"). */
    static final String QUEUE_TRANSFER = "QueueTransfer";
    /** The names of the variables set through the API, so the API never overwrites a variable of the flow's own. */
    static final String API_DATA_KEYS = "apiDataKeys";

    private final RuntimeService runtime;
    private final CallControl callControl;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String node;
    private final OriginatedCalls originated;
    private final Agents agents;
    private CallRecordings recordings;
    // A timer job of the same instance may commit first; the engine then asks us to try again.
    private final Retry retry = Retry.of("call-command", RetryConfig.custom().maxAttempts(5)
            .waitDuration(Duration.ofMillis(20)).retryExceptions(OptimisticLockingException.class).build());

    CallCommands(RuntimeService runtime, CallControl callControl, JdbcTemplate jdbc, Clock clock,
            @Value("${callflow.node-id:local}") String node, OriginatedCalls originated, Agents agents) {
        this.originated = originated;
        this.agents = agents;
        this.runtime = runtime;
        this.callControl = callControl;
        this.jdbc = jdbc;
        this.clock = clock;
        this.node = node;
    }

    /** The recordings under their queues' policies (set by Spring; a setter keeps the constructor as it was). */
    @org.springframework.beans.factory.annotation.Autowired
    void recordings(CallRecordings recordings) {
        this.recordings = recordings;
    }

    /** This node's id ({@code callflow.node-id}), the owner node of the calls it carries. */
    public String node() {
        return node;
    }

    /** Whether this node carries the call's SIP dialogs and media, so commands for it can be carried out here. */
    public boolean isLiveHere(String callId) {
        return callControl.isLive(new CallId(callId));
    }

    /**
     * Ends the call wherever its flow is: the flow's caller-hang-up path runs (queue left or agent to wrap-up, every
     * leg hung up) with hang-up cause {@link #API_HANGUP}; a call without a running flow is hung up directly.
     */
    public void hangUp(String callId, String actor) {
        boolean taken = correlate(callId, FlowMessages.CALLER_HUNG_UP, Map.of("hangupCause", API_HANGUP));
        if (!taken) {
            // No flow runs it (an outbound call): end its legs directly.
            originated.hungUpBy(callId, API_HANGUP);
            callControl.hangUp(new CallId(callId));
        }
        recordAction(callId, actor, "HANGUP", null);
    }

    /** Blind-transfers the caller to a number or SIP URI through the flow's operator-transfer path. */
    public void transferToNumber(String callId, String target, String actor) {
        if (!correlate(callId, OPERATOR_TRANSFER, Map.of(FlowMessages.TRANSFER_TARGET, target))) {
            throw new CallCommandRefused("Call '" + callId + "' has no flow that can transfer it now");
        }
        recordAction(callId, actor, "TRANSFER", "to number " + target);
    }

    /** Moves a call waiting in a queue to {@code queue}: it leaves its queue (TRANSFER) and joins the new one. */
    public void transferToQueue(String callId, String queue, String actor) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("queue", queue);
        // The new queue's own maximum wait counts from the move.
        variables.put(EnqueueCallDelegate.QUEUE_DEADLINE, null);
        if (!correlate(callId, QUEUE_TRANSFER, variables)) {
            throw new CallCommandRefused("Call '" + callId + "' is not waiting in a queue; only a waiting call can be"
                    + " moved to another queue");
        }
        recordAction(callId, actor, "TRANSFER", "to queue " + queue);
    }

    /**
     * Offers a call waiting in a queue to a named agent: the ACD reserves the agent for it and the flow rings the agent
     * as for any reservation (a missed offer goes back to the queue as usual).
     */
    public void transferToAgent(String callId, String agentId, String actor) {
        if (!agents.reserveForWaitingCall(agentId, callId)) {
            throw new CallCommandRefused("Call '" + callId + "' is not waiting in a queue, or agent '" + agentId
                    + "' is not available");
        }
        recordAction(callId, actor, "TRANSFER", "to agent " + agentId);
    }

    /** Starts, stops, pauses or resumes the call's recording. */
    public void recording(String callId, RecordingAction action, String actor) {
        switch (action) {
            case START -> recordings.start(callId, actor);
            case STOP -> recordings.stop(callId, actor);
            case PAUSE -> recordings.pause(callId, actor);
            case RESUME -> recordings.resume(callId, actor);
        }
        recordAction(callId, actor, "RECORDING_" + action.name(), null);
    }

    /**
     * Sets call data as process variables of the call's flow (a null value removes a key set through the API). With
     * {@code replace}, keys set through the API before and missing now are removed. A key naming a variable the flow
     * set itself is refused: the API must not steer the flow through its own variables (queue, agent, legs).
     * Returns the call data set through the API afterwards.
     */
    public Map<String, Object> setData(String callId, Map<String, Object> data, boolean replace, String actor) {
        Map<String, Object> result = retry.executeSupplier(() -> {
            ProcessInstance instance = instance(callId);
            Set<String> ours = apiKeys(instance.getId());
            for (String key : data.keySet()) {
                if (!ours.contains(key) && runtime.getVariable(instance.getId(), key) != null) {
                    throw new CallCommandRefused("'" + key + "' is a variable of the call's flow; call data cannot"
                            + " change it");
                }
            }
            Set<String> removed = new LinkedHashSet<>();
            Map<String, Object> set = new HashMap<>();
            data.forEach((key, value) -> {
                if (value == null) {
                    removed.add(key);
                } else {
                    set.put(key, value);
                }
            });
            if (replace) {
                ours.stream().filter(key -> !data.containsKey(key)).forEach(removed::add);
            }
            Set<String> keys = new LinkedHashSet<>(ours);
            keys.addAll(set.keySet());
            keys.removeAll(removed);
            set.put(API_DATA_KEYS, String.join(",", keys));
            runtime.removeVariables(instance.getId(), removed);
            runtime.setVariables(instance.getId(), set);
            Map<String, Object> now = new HashMap<>();
            keys.forEach(key -> now.put(key, set.containsKey(key) ? set.get(key)
                    : runtime.getVariable(instance.getId(), key)));
            return now;
        });
        recordAction(callId, actor, "DATA", "keys " + String.join(",", new TreeSet<>(data.keySet())));
        return result;
    }

    /** The call data set through the API. */
    public Map<String, Object> data(String callId) {
        ProcessInstance instance = instance(callId);
        Map<String, Object> now = new HashMap<>();
        apiKeys(instance.getId()).forEach(key -> now.put(key, runtime.getVariable(instance.getId(), key)));
        return now;
    }

    /** Writes an operator's action to the call's timeline. */
    public void recordAction(String callId, String actor, String action, String detail) {
        jdbc.update("insert into call_action (call_id, at, actor, action, detail) values (?,?,?,?,?)", callId,
                Timestamp.from(clock.instant()), actor, action, detail);
    }

    private ProcessInstance instance(String callId) {
        ProcessInstance instance = runtime.createProcessInstanceQuery().processInstanceBusinessKey(callId)
                .active().listPage(0, 1).stream().findFirst().orElse(null);
        if (instance == null) {
            throw new CallCommandRefused("Call '" + callId + "' has no running flow to hold call data");
        }
        return instance;
    }

    private Set<String> apiKeys(String processInstanceId) {
        Object keys = runtime.getVariable(processInstanceId, API_DATA_KEYS);
        Set<String> set = new LinkedHashSet<>();
        if (keys instanceof String text && !text.isBlank()) {
            set.addAll(Arrays.asList(text.split(",")));
        }
        return set;
    }

    private boolean correlate(String callId, String message, Map<String, Object> variables) {
        Supplier<Boolean> correlation = () -> !runtime.createMessageCorrelation(message)
                .processInstanceBusinessKey(callId).setVariables(variables).correlateAllWithResult().isEmpty();
        return retry.executeSupplier(correlation);
    }
}
