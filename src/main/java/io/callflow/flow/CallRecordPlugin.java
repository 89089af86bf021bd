package io.callflow.flow;

import java.util.ArrayList;
import java.util.List;

import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.springframework.stereotype.Component;

/**
 * Gives every call flow a call record without the analyst modelling it: the record is written when the process
 * starts and completed when it ends, however it ends (an end event's id becomes the outcome; a cancelled instance
 * is CANCELLED). Because the writes share the engine's transaction, a call never exists without its record. A process
 * started without a business key (by a timer, say) is not a call and gets no record.
 */
@Component
class CallRecordPlugin extends AbstractProcessEnginePlugin {

    private final CallRecords records;

    CallRecordPlugin(CallRecords records) {
        this.records = records;
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        List<BpmnParseListener> listeners =
                configuration.getCustomPostBPMNParseListeners();
        if (listeners == null) {
            listeners = new ArrayList<>();
            configuration.setCustomPostBPMNParseListeners(listeners);
        }
        listeners.add(new AbstractBpmnParseListener() {
            @Override
            public void parseProcess(Element processElement, ProcessDefinitionEntity process) {
                String flowKey = processElement.attribute("id");
                process.addListener(ExecutionListener.EVENTNAME_START,
                        (ExecutionListener) execution -> records.started(execution, flowKey));
                process.addListener(ExecutionListener.EVENTNAME_END, (ExecutionListener) records::ended);
            }

            @Override
            public void parseEndEvent(Element endEventElement, ScopeImpl scope, ActivityImpl activity) {
                String outcome = activity.getId();
                activity.addListener(ExecutionListener.EVENTNAME_START, (ExecutionListener) execution ->
                        execution.getProcessInstance().setVariable(CallRecords.OUTCOME, outcome));
            }
        });
    }
}
