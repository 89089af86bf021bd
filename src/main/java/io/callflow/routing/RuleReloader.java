package io.callflow.routing;

import java.util.List;

import io.callflow.platform.ContentFile;
import io.callflow.platform.ContentProperties;
import io.callflow.platform.FolderWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Recompiles {@code rules/} in the background whenever a file on disk changes. A rule base that compiles replaces the
 * live one as a whole; one that does not is logged once with every file:line and kept in {@link RuleStatus}, and the
 * old rules stay live, so a typo never leaves calls unrouted.
 */
@Component
class RuleReloader implements ApplicationRunner, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RuleReloader.class);

    private final RuleCompiler compiler;
    private final RuleBase ruleBase;
    private final ContentProperties content;
    private FolderWatcher watcher;

    RuleReloader(RuleCompiler compiler, RuleBase ruleBase, ContentProperties content) {
        this.compiler = compiler;
        this.ruleBase = ruleBase;
        this.content = content;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (content.hotReload()) {
            watcher = FolderWatcher.start(content.rulesDir(), content.quietPeriod(), this::reload);
        }
    }

    /** Compiles the rule folder now; returns whether the new rules are live. */
    boolean reload() {
        List<ContentFile> files = content.rules().files(".drl");
        try {
            ruleBase.replace(compiler.compile(files), files.stream().map(ContentFile::origin).toList());
            RuleStatus status = ruleBase.status();
            log.info("Routing rules reloaded: version {}, {} rule(s) from {} file(s)", status.version(),
                    status.rules().size(), files.size());
            return true;
        } catch (InvalidRulesException e) {
            ruleBase.rejected(e.problems());
            log.error("Routing rules NOT reloaded, the previous rules stay live. Fix and save again:\n{}",
                    String.join("\n", e.problems().stream().map(RuleProblem::toString).toList()));
            return false;
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
