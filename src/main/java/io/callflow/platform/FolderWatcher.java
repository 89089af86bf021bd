package io.callflow.platform;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back once a content directory has been quiet for a short while after a change, so an editor's save (often
 * several writes) triggers one reload. Built on the JDK's WatchService on a dedicated daemon thread; a directory that
 * does not exist is not watched (the packaged copy is all there is).
 */
public final class FolderWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FolderWatcher.class);

    private final Path directory;
    private final Duration quietPeriod;
    private final Runnable onChange;
    private final WatchService watchService;
    private final Thread thread;

    private FolderWatcher(Path directory, Duration quietPeriod, Runnable onChange) throws IOException {
        this.directory = directory;
        this.quietPeriod = quietPeriod;
        this.onChange = onChange;
        this.watchService = FileSystems.getDefault().newWatchService();
        registerTree(directory);
        this.thread = new Thread(this::watch, "watch-" + directory.getFileName());
        this.thread.setDaemon(true);
    }

    /** Starts watching {@code directory} and its sub-directories; returns null if it does not exist. */
    public static FolderWatcher start(Path directory, Duration quietPeriod, Runnable onChange) {
        Objects.requireNonNull(onChange);
        if (!Files.isDirectory(directory)) {
            log.info("Not watching {}: the directory does not exist", directory.toAbsolutePath().normalize());
            return null;
        }
        try {
            FolderWatcher watcher = new FolderWatcher(directory, quietPeriod, onChange);
            watcher.thread.start();
            return watcher;
        } catch (IOException e) {
            log.warn("Cannot watch {} for changes ({}); edits there take effect after a restart",
                    directory.toAbsolutePath().normalize(), e.toString());
            return null;
        }
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                drain(key);
                // Wait until the directory is quiet, so a burst of writes is one change.
                WatchKey more;
                while ((more = watchService.poll(quietPeriod.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    log.error("Reloading after a change in {} failed: {}", directory, e.toString(), e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain(WatchKey key) {
        for (var event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && event.context() instanceof Path created) {
                Path child = ((Path) key.watchable()).resolve(created);
                if (Files.isDirectory(child)) {
                    try {
                        registerTree(child);
                    } catch (IOException e) {
                        log.warn("Cannot watch new directory {}: {}", child, e.toString());
                    }
                }
            }
        }
        key.reset();
    }

    private void registerTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            log.debug("Closing the watch service of {}: {}", directory, e.toString());
        }
        thread.interrupt();
    }
}
