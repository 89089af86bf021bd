package io.callflow.flow;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Shows which flows are live and which files were rejected; stays UP when a file is rejected, because the flows
 * deployed before keep taking calls, but names the file so operations see it.
 */
@Component("processes")
class ProcessesHealthIndicator implements HealthIndicator {

    private final ProcessFolderDeployer deployer;

    ProcessesHealthIndicator(ProcessFolderDeployer deployer) {
        this.deployer = deployer;
    }

    @Override
    public Health health() {
        ProcessDeploymentReport report = deployer.lastReport();
        return Health.up()
                .withDetail("deployed", report.deployed())
                .withDetail("rejected", report.rejected().stream().map(ProcessProblem::toString).toList())
                .build();
    }
}
