package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.callflow.platform.ContentProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The shipped prompt sets and how a prompt is found: its language, a name naming its own language, the fallback. */
class PromptLibraryTest {

    static final Path SHIPPED = Path.of("prompts");

    @TempDir Path root;

    @Test
    void everyLanguageShipsEveryEnglishPromptAndGermanAndFrenchEachNumberWhole() throws IOException {
        List<String> english = names("en");
        assertThat(english).contains("welcome", "menu", "one-minute", "for-this-language", "20", "90");
        for (String language : List.of("de", "fr")) {
            List<String> names = names(language);
            assertThat(names).as(language).containsAll(english);
            assertThat(names).as(language + " numbers 0-99 whole")
                    .containsAll(IntStream.range(0, 100).mapToObj(Integer::toString).toList());
        }
        PromptLibrary prompts = new PromptLibrary(shipped());
        for (String language : List.of("en", "de", "fr")) {
            for (String name : names(language)) {
                assertThat(prompts.samples(language, name)).as(language + "/" + name).hasSizeGreaterThan(2000);
            }
        }
    }

    @Test
    void aPromptIsTakenFromTheCallsLanguageOrFromTheLanguageItsNameGives() {
        PromptLibrary prompts = new PromptLibrary(shipped());
        assertThat(prompts.prompt("de", "welcome")).isEqualTo(prompts.samples("de", "welcome"))
                .isNotEqualTo(prompts.samples("en", "welcome"));
        assertThat(prompts.prompt("en", "fr:for-this-language")).isEqualTo(prompts.samples("fr", "for-this-language"));
        assertThat(prompts.prompt(null, "welcome")).isEqualTo(prompts.samples("en", "welcome"));
        assertThatThrownBy(() -> prompts.prompt("../etc", "welcome")).hasMessageContaining("not a language tag");
        assertThatThrownBy(() -> prompts.prompt("en", "../x:welcome")).hasMessageContaining("not a language tag");
    }

    @Test
    void aPromptMissingInTheCallsLanguageIsPlayedInTheDefaultOneWithOneWarning() throws IOException {
        Files.createDirectories(root.resolve("prompts/en"));
        Files.createDirectories(root.resolve("prompts/it"));
        Files.copy(SHIPPED.resolve("en/welcome.wav"), root.resolve("prompts/en/welcome.wav"));
        PromptLibrary prompts = new PromptLibrary(content(root.resolve("prompts")), "en");
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        Logger log = (Logger) LoggerFactory.getLogger(PromptLibrary.class);
        log.addAppender(appender);
        try {
            for (int call = 0; call < 3; call++) {
                assertThat(prompts.prompt("it", "welcome")).isEqualTo(prompts.samples("en", "welcome"));
            }
        } finally {
            log.detachAppender(appender);
        }
        assertThat(appender.list).singleElement().satisfies(line -> {
            assertThat(line.getLevel()).isEqualTo(Level.WARN);
            assertThat(line.getFormattedMessage()).contains("'welcome'", "it", "playing the en one");
        });
        assertThatThrownBy(() -> prompts.prompt("it", "nope")).hasMessageContaining("en/nope.wav")
                .hasMessageContaining("not found");
    }

    private static List<String> names(String language) throws IOException {
        try (Stream<Path> files = Files.list(SHIPPED.resolve(language))) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".wav"))
                    .map(name -> name.substring(0, name.length() - 4)).sorted().toList();
        }
    }

    private ContentProperties shipped() {
        return content(SHIPPED.toAbsolutePath());
    }

    private ContentProperties content(Path prompts) {
        return new ContentProperties(root, root, prompts, root, false, Duration.ofMillis(500));
    }
}
