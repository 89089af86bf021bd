package io.callflow.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    static boolean present(String binary) {
        return List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, binary)));
    }
}
