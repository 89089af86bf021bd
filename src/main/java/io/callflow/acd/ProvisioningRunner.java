package io.callflow.acd;

import java.util.concurrent.atomic.AtomicReference;

import io.callflow.platform.ContentProperties;
import io.callflow.platform.FolderWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Loads the provisioning file at start-up and again whenever its folder changes, logging each skipped entry with its
 * file and line; the latest report is kept for the API.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ProvisioningRunner implements ApplicationRunner, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProvisioningRunner.class);

    private final Provisioning provisioning;
    private final AcdProperties properties;
    private final ContentProperties content;
    private final Dispatcher dispatcher;
    private final AtomicReference<ProvisioningReport> last = new AtomicReference<>();
    private FolderWatcher watcher;

    ProvisioningRunner(Provisioning provisioning, AcdProperties properties, ContentProperties content,
            Dispatcher dispatcher) {
        this.provisioning = provisioning;
        this.properties = properties;
        this.content = content;
        this.dispatcher = dispatcher;
    }

    @Override
    public void run(ApplicationArguments args) {
        load();
        var folder = properties.provisioningFile().toAbsolutePath().getParent();
        if (content.hotReload() && folder != null && java.nio.file.Files.isDirectory(folder)) {
            watcher = FolderWatcher.start(folder, content.quietPeriod(), this::load);
        }
    }

    ProvisioningReport load() {
        ProvisioningReport report = provisioning.load();
        last.set(report);
        report.problems().forEach(problem -> log.error("Provisioning: {}", problem));
        log.info("Provisioning loaded from {}: {} entries applied, {} skipped", report.file(), report.applied(),
                report.problems().size());
        dispatcher.trigger();
        return report;
    }

    ProvisioningReport lastReport() {
        return last.get();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
