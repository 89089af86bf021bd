package io.callflow.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentFolderTest {

    @TempDir
    Path disk;

    @Test
    void packagedFilesAreListedWhenTheDirectoryOnDiskIsMissing() {
        var folder = new ContentFolder("contentfixture", disk.resolve("absent"));

        assertThat(folder.files(".txt")).extracting(ContentFile::name).containsExactly("a.txt", "sub/b.txt");
        assertThat(text(folder.files(".txt").get(0))).isEqualTo("packaged-a");
    }

    @Test
    void aFileOnDiskReplacesThePackagedFileOfTheSameNameAndNewFilesAreAdded() throws Exception {
        Files.writeString(disk.resolve("a.txt"), "edited-a");
        Files.writeString(disk.resolve("c.txt"), "new-c");
        Files.writeString(disk.resolve("ignored.md"), "other extension");
        var folder = new ContentFolder("contentfixture", disk);

        assertThat(folder.files(".txt")).extracting(ContentFile::name).containsExactly("a.txt", "c.txt", "sub/b.txt");
        assertThat(text(folder.files(".txt").get(0))).isEqualTo("edited-a");
        assertThat(folder.files(".txt").get(0).origin()).isEqualTo(disk.resolve("a.txt").toString());
        assertThat(folder.files(".txt").get(2).origin()).isEqualTo("classpath:contentfixture/sub/b.txt");
    }

    @Test
    void toolingFoldersStartingWithADotAreNotContent() throws Exception {
        Files.createDirectories(disk.resolve(".camunda"));
        Files.writeString(disk.resolve(".camunda/template.txt"), "tooling");
        var folder = new ContentFolder("contentfixture", disk);

        assertThat(folder.files(".txt")).extracting(ContentFile::name).doesNotContain(".camunda/t.txt",
                ".camunda/template.txt");
    }

    @Test
    void aSingleFileIsFoundOnDiskFirstThenInTheJar() throws Exception {
        Files.createDirectories(disk.resolve("sub"));
        Files.writeString(disk.resolve("sub/b.txt"), "edited-b");
        var folder = new ContentFolder("contentfixture", disk);

        assertThat(folder.file("sub/b.txt")).map(ContentFolderTest::text).contains("edited-b");
        assertThat(folder.file("a.txt")).map(ContentFolderTest::text).contains("packaged-a");
        assertThat(folder.file("missing.txt")).isEmpty();
    }

    @Test
    void namesOutsideTheFolderAreRefused() {
        var folder = new ContentFolder("contentfixture", disk);

        assertThatThrownBy(() -> folder.file("../../etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the contentfixture folder");
    }

    private static String text(ContentFile file) {
        return new String(file.content(), StandardCharsets.UTF_8).strip();
    }
}
