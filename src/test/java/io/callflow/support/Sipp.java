package io.callflow.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs SIPp scenarios from {@code src/test/sipp} against Callflow on loopback. Without SIPp a test is skipped on a
 * developer's machine but fails under CI ({@code CI=true}), where .ci/run installs it.
 */
public final class Sipp {

    private static final Path SCENARIOS = Path.of("src/test/sipp").toAbsolutePath();

    private final Process process;
    private final Path log;
    private final String scenario;

    private Sipp(Process process, Path log, String scenario) {
        this.process = process;
        this.log = log;
        this.scenario = scenario;
    }

    /** Fails (under CI) or skips (elsewhere) when the sipp binary is missing. */
    public static void requireSipp() {
        ExternalTool.require("sipp", "sip-tester");
    }

    /** Starts {@code sipp -sf <scenario> -m 1 -p <localPort> ...} towards {@code 127.0.0.1:<sipPort>}. */
    public static Sipp start(String scenario, int localPort, int sipPort, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of("sipp", "-sf", SCENARIOS.resolve(scenario).toString(), "-m", "1",
                "-p", Integer.toString(localPort), "-i", "127.0.0.1", "-nostdin", "-trace_err", "-timeout", "60s"));
        command.addAll(List.of(extra));
        command.add("127.0.0.1:" + sipPort);
        Path log = Files.createTempFile("sipp-" + Path.of(scenario).getFileName(), ".log");
        Path dir = Files.createTempDirectory("sipp");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new Sipp(process, dir, scenario);
    }

    /** Waits for the scenario to finish and fails with SIPp's error log unless it passed. */
    public void awaitSuccess(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail("SIPp " + scenario + " did not finish within " + timeout + errors());
        }
        if (process.exitValue() != 0) {
            fail("SIPp " + scenario + " failed (exit " + process.exitValue() + ")" + errors());
        }
    }

    /**
     * Waits for a load run to finish and returns SIPp's exit code: 0 every call passed, 1 some failed (on a loaded
     * machine SIPp itself falls behind), anything else SIPp could not run, which fails the test.
     */
    public int awaitFinished(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail("SIPp " + scenario + " did not finish within " + timeout + errors());
        }
        if (process.exitValue() > 1) {
            fail("SIPp " + scenario + " could not run (exit " + process.exitValue() + ")" + errors());
        }
        return process.exitValue();
    }

    public void kill() {
        process.destroyForcibly();
    }

    private String errors() throws IOException {
        StringBuilder text = new StringBuilder();
        try (var files = Files.list(log)) {
            for (Path file : files.toList()) {
                if (file.getFileName().toString().endsWith("_errors.log")) {
                    text.append('\n').append(Files.readString(file));
                }
            }
        }
        return text.toString();
    }

    /** A free TCP port, for HTTP servers a test starts (a free UDP port may be taken for TCP). */
    public static int freeTcpPort() throws IOException {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A free UDP port on loopback for a SIPp instance. */
    public static int freePort() throws IOException {
        try (var socket = new java.net.DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
