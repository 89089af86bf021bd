package io.callflow.tracing;

import java.util.ArrayList;
import java.util.List;

import io.callflow.tracing.CallTraces.CallTrace;
import io.micrometer.tracing.Span;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A span for each call's flow and for every activity it passes through, whatever the analyst modelled: a parse
 * listener puts a start and an end listener on every activity of every deployed process, so a new task type or a
 * process edited in the Modeler is traced without a change here. Activities that wait (a queue, a ringing agent) keep
 * their span open across the engine's transactions; the call id is the process's business key.
 */
class FlowSpans extends AbstractProcessEnginePlugin {

    private static final Logger log = LoggerFactory.getLogger(FlowSpans.class);

    private final CallTraces traces;

    FlowSpans(CallTraces traces) {
        this.traces = traces;
    }

    /**
     * The span of the activity the engine is executing on this thread for the call, if any: a decision taken inside a
     * task (the routing rules, an enqueue) becomes that task's child.
     */
    static Span currentActivity(CallTrace trace) {
        var context = Context.getBpmnExecutionContext();
        ExecutionEntity execution = context == null ? null : context.getExecution();
        if (execution == null || !trace.callId.equals(execution.getProcessBusinessKey())) {
            return null;
        }
        return trace.get(execution.getActivityInstanceId());
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        List<BpmnParseListener> listeners = configuration.getCustomPostBPMNParseListeners();
        if (listeners == null) {
            listeners = new ArrayList<>();
            configuration.setCustomPostBPMNParseListeners(listeners);
        }
        listeners.add(new AbstractBpmnParseListener() {
            // Called once the whole process is parsed, so every activity (inside sub-processes too) is there.
            @Override
            public void parseProcess(Element processElement, ProcessDefinitionEntity process) {
                String flowKey = process.getKey();
                process.addListener(ExecutionListener.EVENTNAME_START,
                        (ExecutionListener) execution -> safely(() -> flowStarted(execution, flowKey)));
                process.addListener(ExecutionListener.EVENTNAME_END,
                        (ExecutionListener) execution -> safely(() -> flowEnded(execution)));
                addActivityListeners(process);
            }
        });
    }

    private void addActivityListeners(ScopeImpl scope) {
        for (ActivityImpl activity : scope.getActivities()) {
            String type = String.valueOf(activity.getProperty("type"));
            String name = "flow." + activity.getId();
            activity.addListener(ExecutionListener.EVENTNAME_START,
                    (ExecutionListener) execution -> safely(() -> activityStarted(execution, name, type)));
            activity.addListener(ExecutionListener.EVENTNAME_END,
                    (ExecutionListener) execution -> safely(() -> activityEnded(execution)));
            addActivityListeners(activity);
        }
    }

    private void flowStarted(DelegateExecution execution, String flowKey) {
        String callId = execution.getProcessBusinessKey();
        if (callId == null) {
            return; // started by a timer or by hand: not a call
        }
        CallTrace trace = traces.open(callId, traces.now());
        trace.start(execution.getProcessInstanceId(), "flow " + flowKey, null, traces.now())
                .tag("callflow.flow", flowKey);
    }

    private void flowEnded(DelegateExecution execution) {
        traces.find(execution.getProcessBusinessKey()).ifPresent(trace -> {
            trace.end(execution.getProcessInstanceId(), traces.now(), span -> { });
            trace.flowEnded = true;
            // A flow started without a call arriving over SIP (a test, a callback) has no caller leg to wait for.
            if (trace.callerGone || trace.callerLeg == null) {
                traces.close(trace.callId, traces.now());
            }
        });
    }

    private void activityStarted(DelegateExecution execution, String name, String type) {
        traces.find(execution.getProcessBusinessKey()).ifPresent(trace -> {
            Span parent = trace.get(execution.getParentActivityInstanceId());
            trace.start(execution.getActivityInstanceId(), name, parent, traces.now())
                    .tag("callflow.activity.id", execution.getCurrentActivityId())
                    .tag("callflow.activity.type", type);
            if (type.endsWith("EndEvent")) {
                // The end event reached names the call's outcome, as on the call record.
                trace.root.tag(CallTraces.OUTCOME, execution.getCurrentActivityId());
            }
        });
    }

    private void activityEnded(DelegateExecution execution) {
        traces.find(execution.getProcessBusinessKey()).ifPresent(trace -> trace.end(execution.getActivityInstanceId(),
                traces.now(), span -> {
                    if (execution.isCanceled()) {
                        span.tag(CallTraces.OUTCOME, "cancelled");
                    }
                }));
    }

    /** A failure to trace must never fail the call's flow. */
    private static void safely(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            log.debug("Tracing a flow step failed: {}", e.toString(), e);
        }
    }
}
