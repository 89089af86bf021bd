package io.callflow.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * A folder users edit ({@code processes/}, {@code rules/}, {@code prompts/}, {@code ui/}): the copy packaged in the
 * jar under the same name, overlaid file by file with the directory on disk, so an edit needs no rebuild.
 */
public record ContentFolder(String name, Path directory) {

    private static final PathMatchingResourcePatternResolver RESOLVER = new PathMatchingResourcePatternResolver();

    /** Every file ending in {@code extension}, packaged ones first replaced by same-named files on disk, sorted by name. */
    public List<ContentFile> files(String extension) {
        var byName = new TreeMap<String, ContentFile>();
        packaged(extension).forEach(file -> byName.put(file.name(), file));
        onDisk(extension).forEach(file -> byName.put(file.name(), file));
        return List.copyOf(byName.values());
    }

    /** The file with this relative name, from disk if present there, else from the jar. */
    public Optional<ContentFile> file(String relativeName) {
        Path normalized = Path.of(relativeName).normalize();
        if (normalized.isAbsolute() || normalized.startsWith("..")) {
            throw new IllegalArgumentException("'" + relativeName + "' is outside the " + name + " folder");
        }
        Path onDisk = directory.resolve(normalized);
        if (Files.isRegularFile(onDisk)) {
            return Optional.of(read(normalized.toString().replace('\\', '/'), onDisk));
        }
        Resource resource = RESOLVER.getResource("classpath:" + name + "/" + normalized.toString().replace('\\', '/'));
        return resource.exists() ? Optional.of(read(normalized.toString(), resource)) : Optional.empty();
    }

    /** The directory on disk, absolute, for messages and for watching it. */
    public Path absoluteDirectory() {
        return directory.toAbsolutePath().normalize();
    }

    private List<ContentFile> onDisk(String extension) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            return paths.filter(Files::isRegularFile)
                    .filter(path -> path.getFileName().toString().endsWith(extension))
                    .filter(path -> !isHidden(directory.relativize(path)))
                    .map(path -> read(directory.relativize(path).toString().replace('\\', '/'), path))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + absoluteDirectory(), e);
        }
    }

    private List<ContentFile> packaged(String extension) {
        try {
            Resource root = RESOLVER.getResource("classpath:" + name + "/");
            if (!root.exists()) {
                return List.of();
            }
            String rootUrl = root.getURL().toString();
            return Stream.of(RESOLVER.getResources("classpath*:" + name + "/**/*" + extension))
                    .filter(Resource::isReadable)
                    .map(resource -> read(relativeName(rootUrl, resource), resource))
                    .filter(file -> !isHidden(Path.of(file.name())))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the packaged " + name + " folder", e);
        }
    }

    private String relativeName(String rootUrl, Resource resource) {
        try {
            String url = resource.getURL().toString();
            return url.startsWith(rootUrl) ? url.substring(rootUrl.length()) : resource.getFilename();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Dot-folders such as Modeler's {@code .camunda/} hold tooling files, not content. */
    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private ContentFile read(String relativeName, Path path) {
        try {
            return new ContentFile(relativeName, path.toAbsolutePath().normalize().toString(), Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + path.toAbsolutePath(), e);
        }
    }

    private ContentFile read(String relativeName, Resource resource) {
        try (var in = resource.getInputStream()) {
            return new ContentFile(relativeName, "classpath:" + name + "/" + relativeName, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read packaged " + name + "/" + relativeName, e);
        }
    }
}
