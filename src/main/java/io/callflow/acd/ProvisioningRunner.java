package io.callflow.acd;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.callflow.platform.ContentProperties;
import io.callflow.platform.FolderWatcher;
import io.callflow.platform.PostgresStatistics;
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
    private final PostgresStatistics statistics;
    private final AtomicReference<ProvisioningReport> last = new AtomicReference<>();
    private final AtomicReference<String> lastFingerprint = new AtomicReference<>("");
    private FolderWatcher watcher;

    ProvisioningRunner(Provisioning provisioning, AcdProperties properties, ContentProperties content,
            Dispatcher dispatcher, PostgresStatistics statistics) {
        this.provisioning = provisioning;
        this.properties = properties;
        this.content = content;
        this.dispatcher = dispatcher;
        this.statistics = statistics;
    }

    @Override
    public void run(ApplicationArguments args) {
        load();
        var folder = properties.provisioningFile().toAbsolutePath().getParent();
        if (content.hotReload() && folder != null && java.nio.file.Files.isDirectory(folder)) {
            watcher = FolderWatcher.start(folder, content.quietPeriod(), this::loadIfChanged);
        }
    }

    /**
     * The folder may hold other files (logs, recordings): only a change of the provisioning file's bytes reloads it,
     * so unrelated writes never re-run the upsert (which locks agent and queue rows) during traffic.
     */
    private void loadIfChanged() {
        if (!fingerprint().equals(lastFingerprint.get())) {
            load();
        }
    }

    private String fingerprint() {
        try {
            byte[] bytes = java.nio.file.Files.readAllBytes(properties.provisioningFile());
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    ProvisioningReport load() {
        lastFingerprint.set(fingerprint());
        ProvisioningReport report = provisioning.load();
        last.set(report);
        report.problems().forEach(problem -> log.error("Provisioning: {}", problem));
        log.info("Provisioning loaded from {}: {} entries applied, {} skipped", report.file(), report.applied(),
                report.problems().size());
        if (report.applied() > 0) {
            // A first load turns empty tables into hundreds of agents and memberships; plans need to know.
            statistics.analyze(List.of("agent", "agent_skill", "queue_member", "call_queue", "skill", "did_route"));
        }
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
