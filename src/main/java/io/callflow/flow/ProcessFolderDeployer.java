package io.callflow.flow;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.callflow.platform.ContentFile;
import io.callflow.platform.ContentProperties;
import org.camunda.bpm.engine.ParseException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.ResourceReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Deploys every BPMN file of {@code processes/} (packaged copy overlaid by the directory on disk) as its own
 * deployment. An unchanged file creates no new version; a file that does not parse is rejected with its line and
 * reason while the version deployed before it stays live, so one broken edit never takes the other flows down.
 */
@Component
public class ProcessFolderDeployer {

    static final String DEPLOYMENT_SOURCE = "callflow-processes";
    private static final Logger log = LoggerFactory.getLogger(ProcessFolderDeployer.class);

    private final RepositoryService repositoryService;
    private final ContentProperties content;
    private final AtomicReference<ProcessDeploymentReport> lastReport =
            new AtomicReference<>(ProcessDeploymentReport.empty());

    public ProcessFolderDeployer(RepositoryService repositoryService, ContentProperties content) {
        this.repositoryService = repositoryService;
        this.content = content;
    }

    /** Deploys what changed in the folder and returns (and keeps) the report. */
    public synchronized ProcessDeploymentReport deployAll() {
        List<String> deployed = new ArrayList<>();
        List<ProcessProblem> rejected = new ArrayList<>();
        for (ContentFile file : content.processes().files(".bpmn")) {
            try {
                deploy(file);
                deployed.add(file.origin());
            } catch (ProcessEngineException e) {
                List<ProcessProblem> problems = problemsOf(file, e);
                rejected.addAll(problems);
                log.error("Rejected {}: {}. The previously deployed version of this flow, if any, stays live.",
                        file.origin(), problems.stream().map(p -> "line " + p.line() + ": " + p.message()).toList());
            }
        }
        ProcessDeploymentReport report = new ProcessDeploymentReport(deployed, rejected);
        lastReport.set(report);
        log.info("Processes: {} file(s) live, {} rejected ({})", deployed.size(), rejected.stream()
                .map(ProcessProblem::file).distinct().count(), content.processes().absoluteDirectory());
        return report;
    }

    public ProcessDeploymentReport lastReport() {
        return lastReport.get();
    }

    private void deploy(ContentFile file) {
        repositoryService.createDeployment()
                .name(file.name())
                .source(DEPLOYMENT_SOURCE)
                .enableDuplicateFiltering(true)
                .addInputStream(file.name(), new ByteArrayInputStream(file.content()))
                .deploy();
    }

    private static List<ProcessProblem> problemsOf(ContentFile file, ProcessEngineException failure) {
        List<ProcessProblem> problems = new ArrayList<>();
        List<ResourceReport> reports = failure instanceof ParseException e ? e.getResorceReports() : List.of();
        for (ResourceReport report : reports) {
            report.getErrors().forEach(error -> problems.add(
                    new ProcessProblem(file.origin(), error.getLine(), error.getMainElementId() == null
                            ? error.getMessage() : error.getMessage() + " (element " + error.getMainElementId() + ")")));
        }
        if (problems.isEmpty()) {
            problems.add(new ProcessProblem(file.origin(), 0, failure.getMessage()));
        }
        return problems;
    }
}
