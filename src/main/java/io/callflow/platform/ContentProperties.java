package io.callflow.platform;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the folders users edit live on disk (each overrides, file by file, the copy packaged in the jar) and whether
 * edits there are picked up while Callflow runs, once the folder has been quiet for {@code quietPeriod}.
 */
@ConfigurationProperties("callflow.content")
public record ContentProperties(
        @DefaultValue("./processes") Path processesDir,
        @DefaultValue("./rules") Path rulesDir,
        @DefaultValue("./prompts") Path promptsDir,
        @DefaultValue("./ui") Path uiDir,
        @DefaultValue("true") boolean hotReload,
        @DefaultValue("500ms") Duration quietPeriod) {

    public ContentFolder processes() {
        return new ContentFolder("processes", processesDir);
    }

    public ContentFolder rules() {
        return new ContentFolder("rules", rulesDir);
    }

    public ContentFolder prompts() {
        return new ContentFolder("prompts", promptsDir);
    }

    public ContentFolder ui() {
        return new ContentFolder("ui", uiDir);
    }
}
