package io.callflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A normal stop (SIGTERM) of Callflow on its default H2 database with a call in the menu: while it stops, new calls
 * and registrations get 503 with Retry-After, the live call is hung up with a BYE after its grace period, the JVM
 * exits, and the log has not one ERROR line (it used to end with ENGINE-14019 "Database is already closed").
 */
class CleanShutdownTest {

    static final String PROVISIONING = """
            dids:
              - { did: "100", flow: inbound-call }
            """;

    final List<Sipp> phones = new ArrayList<>();
    Process callflow;

    @AfterEach
    void stop() {
        phones.forEach(Sipp::kill);
        if (callflow != null) {
            callflow.destroyForcibly();
        }
    }

    @Test
    void aStopDrainsSipEndsTheLiveCallAndLogsNoError() throws Exception {
        Sipp.requireSipp();
        TestContent content = TestContent.create()
                .with("rules/business-hours.drl", "package io.callflow.rules\n")
                .with("provisioning.yml", PROVISIONING);
        int sipPort = Sipp.freePort();
        int httpPort = Sipp.freeTcpPort();
        Path log = Files.createTempFile("callflow-stop", ".log");
        callflow = start(content, sipPort, httpPort, log);

        Sipp caller = Sipp.start("caller-hung-up-on.xml", Sipp.freePort(), sipPort, "-s", "100",
                "-mp", Integer.toString(Sipp.freePort()));
        phones.add(caller);
        // The answer is queued on the call's lane before the flow moves on, and the drain's hang-up queues behind it.
        await().atMost(Duration.ofSeconds(30)).until(() -> answered(httpPort));

        callflow.destroy();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.readString(log).contains("SIP refuses new calls and registrations"));
        // Within the grace period (8 s) the node is still up but refuses new work, as a trunk and a phone see it.
        Sipp newCall = Sipp.start("caller-overloaded.xml", Sipp.freePort(), sipPort, "-s", "100");
        Sipp register = Sipp.start("agent-register-unavailable.xml", Sipp.freePort(), sipPort, "-s", "1001");
        phones.add(newCall);
        phones.add(register);
        newCall.awaitSuccess(Duration.ofSeconds(20));
        register.awaitSuccess(Duration.ofSeconds(20));

        caller.awaitSuccess(Duration.ofSeconds(40));
        assertThat(callflow.waitFor(60, TimeUnit.SECONDS)).as("Callflow exited").isTrue();
        String output = Files.readString(log);
        assertThat(output).contains("hanging up 1 call(s) still up after the grace period")
                .contains("job executor stopped").contains("callflow-db - Shutdown completed");
        assertThat(output.lines().filter(line -> line.contains(" ERROR ") || line.contains("Exception")).toList())
                .as("ERROR lines and stack traces in the log of a normal stop").isEmpty();
    }

    private static boolean answered(int httpPort) throws Exception {
        String auth = java.util.Base64.getEncoder().encodeToString("admin:callflow".getBytes());
        HttpResponse<String> count = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + httpPort + "/engine-rest/history/activity-instance/count"
                        + "?activityId=AnswerCall&finished=true")).header("Authorization", "Basic " + auth).build(),
                HttpResponse.BodyHandlers.ofString());
        return count.body().contains("\"count\":1");
    }

    /** Callflow in a JVM of its own, so the test can stop it with SIGTERM as an operator or a container runtime does. */
    private static Process start(TestContent content, int sipPort, int httpPort, Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CallflowApplication.class.getName(),
                "--server.port=" + httpPort,
                "--callflow.acd.provisioning-file=" + content.root().resolve("provisioning.yml"),
                "--callflow.sip.port=" + sipPort, "--callflow.sip.bind-address=127.0.0.1",
                "--callflow.media.bind-address=127.0.0.1", "--callflow.media.rtp-port-min=43000",
                "--callflow.media.rtp-port-max=43099",
                "--callflow.shutdown.call-grace=8s", "--callflow.shutdown.retry-after-seconds=7",
                "--callflow.admin.allow-default-password=true"));
        command.addAll(List.of(content.propertyArgs()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("Callflow exited:\n" + Files.readString(log));
                }
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                            + "/actuator/health/liveness")).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode() == 200;
                } catch (IOException notYet) {
                    return false;
                }
            });
        } catch (RuntimeException | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
        return process;
    }
}
