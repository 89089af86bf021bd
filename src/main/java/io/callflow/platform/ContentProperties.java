package io.callflow.platform;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the folders users edit live on disk; each overrides, file by file, the copy packaged in the jar.
 */
@ConfigurationProperties("callflow.content")
public record ContentProperties(
        @DefaultValue("./processes") Path processesDir,
        @DefaultValue("./rules") Path rulesDir,
        @DefaultValue("./prompts") Path promptsDir,
        @DefaultValue("./ui") Path uiDir) {

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
