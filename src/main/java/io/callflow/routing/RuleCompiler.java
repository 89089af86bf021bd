package io.callflow.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.callflow.platform.ContentFile;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;

/**
 * Compiles DRL files into one rule base, or reports every error with its file and line; never a partial rule base.
 */
public final class RuleCompiler {

    private static final String SOURCE_ROOT = "src/main/resources/rules/";
    private static final AtomicLong BUILDS = new AtomicLong();

    private final KieServices kie = KieServices.Factory.get();

    /** Compiles the files; throws {@link InvalidRulesException} listing every error if any file does not compile. */
    public KieBase compile(List<ContentFile> drlFiles) {
        // A fresh release id per build keeps successive builds (hot reload) from replacing each other's module.
        ReleaseId releaseId = kie.newReleaseId("io.callflow", "rules", "1." + BUILDS.incrementAndGet());
        KieFileSystem files = kie.newKieFileSystem().generateAndWritePomXML(releaseId);
        for (ContentFile drl : drlFiles) {
            files.write(SOURCE_ROOT + drl.name(), drl.content());
        }
        KieBuilder builder = kie.newKieBuilder(files).buildAll();
        List<RuleProblem> problems = new ArrayList<>();
        for (Message message : builder.getResults().getMessages(Message.Level.ERROR)) {
            problems.add(new RuleProblem(originOf(message.getPath(), drlFiles), message.getLine(),
                    message.getText().strip()));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRulesException(withoutEchoes(problems));
        }
        KieBase kieBase = kie.newKieContainer(releaseId).getKieBase();
        // The container keeps what it needs; dropping the module from the global repository stops reloads leaking.
        kie.getRepository().removeKieModule(releaseId);
        return kieBase;
    }

    /** The parser follows a syntax error with a line-less "Parser returned a null Package"; keep the useful one. */
    private static List<RuleProblem> withoutEchoes(List<RuleProblem> problems) {
        return problems.stream()
                .filter(problem -> problem.line() > 0
                        || problems.stream().noneMatch(other -> other.file().equals(problem.file()) && other.line() > 0))
                .toList();
    }

    private static String originOf(String path, List<ContentFile> drlFiles) {
        if (path == null) {
            return "rules";
        }
        String name = path.replaceFirst("^(src/main/resources/)?rules/", "");
        return drlFiles.stream().filter(file -> file.name().equals(name)).map(ContentFile::origin).findFirst()
                .orElse(name);
    }
}
