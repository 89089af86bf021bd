package io.callflow.flow;

import io.callflow.platform.ContentProperties;
import io.callflow.platform.FolderWatcher;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Deploys {@code processes/} once the engine is up, then again whenever a file in the directory on disk changes:
 * a changed flow becomes a new version for new calls, calls in progress finish on the version they started on.
 */
@Component
class ProcessDeploymentRunner implements ApplicationRunner, AutoCloseable {

    private final ProcessFolderDeployer deployer;
    private final ContentProperties content;
    private FolderWatcher watcher;

    ProcessDeploymentRunner(ProcessFolderDeployer deployer, ContentProperties content) {
        this.deployer = deployer;
        this.content = content;
    }

    @Override
    public void run(ApplicationArguments args) {
        deployer.deployAll();
        if (content.hotReload()) {
            watcher = FolderWatcher.start(content.processesDir(), content.quietPeriod(), deployer::deployAll);
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
