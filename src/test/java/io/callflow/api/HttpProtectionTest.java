package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.callflow.call.RegistrationChanged;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The HTTP surface's protection, over raw sockets so that request targets reach the server exactly as written (an
 * HTTP client would normalise them), each test from its own loopback address (127.0.0.x) so that per-source limits
 * of one test do not meet another's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "callflow.http.rate-limit.per-source=10",
        "callflow.http.rate-limit.per-user=20",
        "callflow.http.rate-limit.period=10s",
        "callflow.http.login-guard.max-failures-per-source=3",
        "callflow.http.login-guard.max-failures-per-user=50",
        "callflow.http.login-guard.block-time=30s"})
@ActiveProfiles("test")
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class HttpProtectionTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/test.drl", TestContent.RULE)
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, name: Alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                    queues:
                      - { name: sales, members: [ alice ] }
                    """);
    static final String ADMIN = "admin:callflow";

    @DynamicPropertySource
    static void content(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
    }

    @LocalServerPort int port;
    @Autowired IdentityService identityService;
    @Autowired ApplicationEventPublisher events;

    @Test
    void pathTricksAreRefusedWith400BeforeAnyServletAndLoggedOnce(CapturedOutput output) throws IOException {
        for (String target : List.of("/engine-rest;a=b/user", "/ui/..;/engine-rest/user", "/x/..;/engine-rest/engine",
                "/ui/%2e%2e/engine-rest/user", "/engine-rest/%2e%2e/api/agents", "/camunda;x=y/app/welcome/default/",
                "/api/v1/agents;jsessionid=0123", "/api/v1/agents/%252e", "/ui/./index.html")) {
            Response response = request("127.0.0.2", "GET", target, null, null);
            assertThat(response.status()).as(target).isEqualTo(400);
            assertThat(response.header("content-type")).as(target).startsWith("application/problem+json");
            assertThat(response.body()).as(target).contains("\"status\":400", "not in normal form")
                    .doesNotContain("Exception");
        }
        assertThat(output.getAll()).doesNotContain("Servlet.service()", "IllegalArgumentException",
                "Invalid contextPath");
        assertThat(output.getAll().lines().filter(line -> line.contains("WARN") && line.contains("from 127.0.0.2")))
                .hasSize(1);
    }

    @Test
    void legitimateRequestsToTheRestApiAndTheWebappsStillPass() throws IOException {
        Response engines = request("127.0.0.3", "GET", "/engine-rest/engine", ADMIN, null);
        assertThat(engines.status()).isEqualTo(200);
        assertThat(engines.body()).contains("\"name\":\"default\"");

        Response welcome = request("127.0.0.3", "GET", "/camunda/app/welcome/default/", null, null);
        assertThat(welcome.status()).isEqualTo(200);
        assertThat(welcome.body()).containsIgnoringCase("<html");
        assertThat(request("127.0.0.3", "GET", "/camunda/api/engine/engine/", null, null).status()).isEqualTo(200);

        // The webapps' entry point redirects to the welcome page; no hop may carry a ;jsessionid= the firewall refuses.
        String target = "/camunda/";
        Response hop = request("127.0.0.3", "GET", target, null, null);
        for (int hops = 0; hop.status() / 100 == 3 && hops < 5; hops++) {
            target = hop.header("location").replaceFirst("^https?://[^/]+", "");
            assertThat(target).doesNotContain(";");
            hop = request("127.0.0.3", "GET", target, null, null);
        }
        assertThat(hop.status()).as(target).isEqualTo(200);
    }

    @Test
    void aBurstOverThePerSourceLimitIsAnswered429UntilThePeriodAllowsMore() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        Response limited = null;
        while (limited == null && statuses.size() < 30) {
            Response response = request("127.0.0.10", "GET", "/api/v1/rules", null, null);
            statuses.add(response.status());
            limited = response.status() == 429 ? response : null;
        }
        assertThat(limited).as("statuses %s", statuses).isNotNull();
        assertThat(statuses.indexOf(429)).as("requests admitted before the first 429").isGreaterThanOrEqualTo(10);
        assertThat(limited.header("content-type")).startsWith("application/problem+json");
        assertThat(limited.body()).contains("\"status\":429");
        int retryAfter = Integer.parseInt(limited.header("retry-after"));
        assertThat(retryAfter).isBetween(1, 10);

        assertThat(request("127.0.0.10", "GET", "/actuator/health", null, null).status()).isEqualTo(200);

        Thread.sleep(retryAfter * 1000L);
        assertThat(request("127.0.0.10", "GET", "/api/v1/rules", null, null).status()).isEqualTo(401);
    }

    @Test
    void aBurstOverThePerUserLimitIsAnswered429WhateverTheSource() throws IOException {
        User wallboard = identityService.newUser("wallboard");
        wallboard.setPassword("wallboard-secret");
        identityService.saveUser(wallboard);
        // A wallboard is a supervisor's screen: the role that may read the rules' status.
        identityService.createMembership("wallboard", Roles.SUPERVISOR_GROUP);

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 60 && !statuses.contains(429); i++) {
            statuses.add(request("127.0.1." + (i + 1), "GET", "/api/v1/rules", "wallboard:wallboard-secret", null)
                    .status());
        }
        assertThat(statuses).as("statuses").contains(429);
        assertThat(statuses.indexOf(429)).as("requests admitted before the first 429").isGreaterThanOrEqualTo(20);
        assertThat(statuses.subList(0, statuses.indexOf(429))).containsOnly(200);
    }

    @Test
    void repeatedWrongPasswordsFromOneSourceStopItsLoginsButNotAnotherSources() throws IOException {
        for (int i = 0; i < 3; i++) {
            assertThat(request("127.0.0.30", "GET", "/api/v1/rules", "nobody:guess" + i, null).status()).isEqualTo(401);
        }
        Response refused = request("127.0.0.30", "GET", "/api/v1/rules", ADMIN, null);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(Integer.parseInt(refused.header("retry-after"))).isBetween(1, 30);
        assertThat(refused.body()).contains("Too many failed logins");

        assertThat(request("127.0.0.31", "GET", "/api/v1/rules", ADMIN, null).status()).isEqualTo(200);
    }

    @Test
    void inputTheDatabaseCannotStoreIsABadRequest() throws IOException {
        events.publishEvent(new RegistrationChanged("1001", 1, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).until(() ->
                request("127.0.0.40", "GET", "/api/v1/agents/alice", ADMIN, null).body().contains("AVAILABLE"));

        Response tooLong = request("127.0.0.41", "POST", "/api/v1/agents/alice/pause", ADMIN,
                "{\"reason\":\"" + "x".repeat(256) + "\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.body()).contains("'reason' must be at most 255 characters, not 256");
        Response nul = request("127.0.0.41", "POST", "/api/v1/agents/alice/pause", ADMIN, "{\"reason\":\"a\\u0000b\"}");
        assertThat(nul.status()).isEqualTo(400);
        assertThat(nul.body()).contains("must not contain control characters");
        assertThat(request("127.0.0.41", "POST", "/api/v1/agents/alice/pause", ADMIN,
                "{\"reason\":\"" + "x".repeat(255) + "\"}").status()).isEqualTo(200);
        assertThat(request("127.0.0.41", "POST", "/api/v1/agents/alice/pause", ADMIN, "{\"reason\":").status())
                .isEqualTo(400);

        Response farFuture = request("127.0.0.42", "GET",
                "/api/v1/agents/alice/stats?from=2026-01-01T00:00:00Z&to=%2B100000-01-01T00:00:00Z", ADMIN, null);
        assertThat(farFuture.status()).isEqualTo(400);
        assertThat(farFuture.body()).contains("'to' must lie between");
        assertThat(request("127.0.0.42", "GET", "/api/v1/queues/sales/stats?from=-100000-01-01T00:00:00Z", ADMIN, null)
                .status()).isEqualTo(400);
        assertThat(request("127.0.0.42", "GET", "/api/v1/agents/" + "a".repeat(300), ADMIN, null).status())
                .isEqualTo(404);
        assertThat(request("127.0.0.42", "GET", "/api/v1/queues/" + "q".repeat(300) + "/stats", ADMIN, null).status())
                .isEqualTo(404);
        events.publishEvent(new RegistrationChanged("1001", 0, Instant.now()));
    }

    /** One HTTP/1.1 exchange from the given loopback address, the request target sent byte for byte as given. */
    private Response request(String from, String method, String target, String credentials, String json)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n");
            if (credentials != null) {
                head.append("Authorization: Basic ").append(Base64.getEncoder()
                        .encodeToString(credentials.getBytes(StandardCharsets.UTF_8))).append("\r\n");
            }
            if (json != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            socket.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(body);
            return Response.parse(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** A response as it arrived: status, header block, and body (chunk sizes left in, which assertions ignore). */
    record Response(int status, String headers, String body) {

        static Response parse(String raw) {
            int end = raw.indexOf("\r\n\r\n");
            String headers = end < 0 ? raw : raw.substring(0, end);
            return new Response(Integer.parseInt(headers.substring(9, 12)), headers,
                    end < 0 ? "" : raw.substring(end + 4));
        }

        String header(String name) {
            Matcher matcher = Pattern.compile("(?im)^" + Pattern.quote(name.toLowerCase(Locale.ROOT))
                    + ":\\s*(.*)$").matcher(headers);
            return matcher.find() ? matcher.group(1).trim() : null;
        }
    }
}
