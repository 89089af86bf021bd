package io.callflow.flow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.springframework.stereotype.Service;

/**
 * A call's path through its flow and the flow's diagram, read from Camunda's history (history level {@code activity}
 * keeps every activity instance), so finished calls can be drawn as Cockpit draws live ones.
 */
@Service
public class CallPaths {

    private final HistoryService history;
    private final RepositoryService repository;

    CallPaths(HistoryService history, RepositoryService repository) {
        this.history = history;
        this.repository = repository;
    }

    public Optional<CallPath> path(String callId) {
        return instance(callId).map(instance -> new CallPath(callId, instance.getId(),
                instance.getProcessDefinitionId(), instance.getProcessDefinitionKey(),
                instant(instance.getStartTime()), instant(instance.getEndTime()),
                history.createHistoricActivityInstanceQuery().processInstanceId(instance.getId())
                        .orderPartiallyByOccurrence().asc().list().stream()
                        .map(step -> new CallPath.Step(step.getActivityId(), step.getActivityName(),
                                step.getActivityType(), instant(step.getStartTime()), instant(step.getEndTime()),
                                step.getDurationInMillis(), step.isCanceled()))
                        .toList()));
    }

    /** The BPMN 2.0 XML of the flow version the call ran. */
    public Optional<byte[]> diagram(String callId) {
        return instance(callId).map(instance -> {
            try (InputStream in = repository.getProcessModel(instance.getProcessDefinitionId())) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The call's flow: the first started, if a call ever had several (a business key is not unique by itself). */
    private Optional<HistoricProcessInstance> instance(String callId) {
        return history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(callId)
                .orderByProcessInstanceStartTime().asc().listPage(0, 1).stream().findFirst();
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
