package io.callflow.flow;

import java.util.List;

/** The outcome of deploying {@code processes/}: which files are live and which were rejected and why. */
public record ProcessDeploymentReport(List<String> deployed, List<ProcessProblem> rejected) {

    public ProcessDeploymentReport {
        deployed = List.copyOf(deployed);
        rejected = List.copyOf(rejected);
    }

    public static ProcessDeploymentReport empty() {
        return new ProcessDeploymentReport(List.of(), List.of());
    }
}
