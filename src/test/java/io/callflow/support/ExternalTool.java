package io.callflow.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program from a Debian package that a test runs (SIPp, baresip, linphonec): without it a test is skipped on a
 * developer's machine but fails under CI ({@code CI=true}), where .ci/run installs the package.
 */
public final class ExternalTool {

    private ExternalTool() {
    }

    /** Fails (under CI) or skips (elsewhere) unless {@code binary} is on the PATH. */
    public static void require(String binary, String debianPackage) {
        if (!present(binary) && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(binary + " is not installed; .ci/run installs the Debian package " + debianPackage);
        }
        assumeTrue(present(binary), binary + " is not installed (apt-get install " + debianPackage + ")");
    }

    /** A request to a running tool that may fail because the tool is already gone. */
    @FunctionalInterface
    interface Request {
        void send() throws IOException;
    }

    /** Asks a tool to quit, gives it {@code grace} to do so (phones unregister first), then kills it. */
    static void stop(Process process, Request quit, Duration grace) {
        try {
            if (process.isAlive()) {
                quit.send();
            }
        } catch (IOException alreadyGone) {
            // It quit or died; nothing left to ask.
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sleeps between a tool's key presses or polls; an interrupt ends the test. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean present(String binary) {
        return List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, binary)));
    }
}
