package io.callflow.flow;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** Deploys {@code processes/} once the engine is up, before Callflow reports itself ready. */
@Component
class ProcessDeploymentRunner implements ApplicationRunner {

    private final ProcessFolderDeployer deployer;

    ProcessDeploymentRunner(ProcessFolderDeployer deployer) {
        this.deployer = deployer;
    }

    @Override
    public void run(ApplicationArguments args) {
        deployer.deployAll();
    }
}
