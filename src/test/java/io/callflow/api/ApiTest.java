package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.callflow.call.RegistrationChanged;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Callflow's own REST API over real HTTP: authentication, agents, queue statistics, rule status, and bad input. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class ApiTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/test.drl", TestContent.RULE)
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, name: Alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                    queues:
                      - { name: sales, members: [ alice ] }
                    """);

    static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    @DynamicPropertySource
    static void content(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
    }

    @Autowired TestRestTemplate http;
    @Autowired ApplicationEventPublisher events;
    @Autowired IdentityService identityService;

    @Test
    void aPasswordShorterThanTheMinimumIsRefusedWhereverAUserIsSaved() {
        User shorty = identityService.newUser("shorty");
        shorty.setPassword("seven77");
        assertThatThrownBy(() -> identityService.saveUser(shorty)).hasMessageContaining("policy");
        assertThat(identityService.createUserQuery().userId("shorty").count()).isZero();
        shorty.setPassword("eight888");
        identityService.saveUser(shorty);
        assertThat(identityService.checkPassword("shorty", "eight888")).isTrue();
        identityService.deleteUser("shorty");
    }

    @Test
    void theApiRequiresAuthentication() {
        assertThat(http.getForEntity("/api/agents", String.class).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(http.withBasicAuth("admin", "wrong").getForEntity("/api/agents", String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void agentsAreListedAndAnUnknownOneIsNotFound() {
        ResponseEntity<List<Map<String, Object>>> list = admin().exchange("/api/agents", HttpMethod.GET, null,
                new ParameterizedTypeReference<>() { });
        assertThat(list.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(list.getBody()).extracting(agent -> agent.get("id")).contains("alice");

        ResponseEntity<Map<String, Object>> unknown = get("/api/agents/nobody");
        assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(unknown.getBody().get("detail")).isEqualTo("There is no agent 'nobody'");
    }

    @Test
    void anAgentPausesWithAReasonAndResumesOnlyWhenThatIsAllowed() {
        events.publishEvent(new RegistrationChanged("1001", 0, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> "OFFLINE".equals(get("/api/agents/alice").getBody()
                .get("state")));
        ResponseEntity<Map<String, Object>> offline = post("/api/agents/alice/pause", "{\"reason\":\"lunch\"}");
        assertThat(offline.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat((String) offline.getBody().get("detail")).contains("is OFFLINE");

        events.publishEvent(new RegistrationChanged("1001", 1, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> "AVAILABLE".equals(get("/api/agents/alice").getBody()
                .get("state")));
        ResponseEntity<Map<String, Object>> paused = post("/api/agents/alice/pause", "{\"reason\":\"lunch\"}");
        assertThat(paused.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(paused.getBody()).containsEntry("state", "PAUSED").containsEntry("stateReason", "lunch");

        assertThat(post("/api/agents/alice/pause", "{not json").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(post("/api/agents/alice/resume", null).getBody()).containsEntry("state", "AVAILABLE");
        assertThat(post("/api/agents/alice/resume", null).getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        events.publishEvent(new RegistrationChanged("1001", 0, Instant.now()));
    }

    @Test
    void queueStatisticsCoverAnIntervalAndRejectNonsense() {
        ResponseEntity<Map<String, Object>> today = get("/api/queues/sales/stats");
        assertThat(today.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(today.getBody()).containsEntry("queue", "sales").containsKeys("offered", "serviceLevelPercent",
                "averageSpeedOfAnswer", "agentsNeeded", "waitingNow");

        ResponseEntity<Map<String, Object>> interval = get(
                "/api/queues/sales/stats?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z");
        assertThat(interval.getBody()).containsEntry("from", "2026-01-01T00:00:00Z").containsEntry("offered", 0);

        assertThat(get("/api/queues/nope/stats").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        ResponseEntity<Map<String, Object>> garbage = get("/api/queues/sales/stats?from=yesterday");
        assertThat(garbage.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat((String) garbage.getBody().get("detail")).contains("'from' must be an ISO-8601 instant");
        assertThat(get("/api/queues/sales/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z").getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(get("/api/agents/alice/stats?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z").getBody())
                .containsEntry("answered", 0);
    }

    @Test
    void theRuleStatusShowsTheLiveRulesAndWhyAnEditWasRejected() throws Exception {
        ResponseEntity<Map<String, Object>> live = get("/api/rules");
        assertThat(live.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(live.getBody().get("rules").toString()).contains("Test rule from disk");
        assertThat((List<?>) live.getBody().get("rejectedProblems")).isEmpty();

        Files.writeString(CONTENT.root().resolve("rules/broken.drl"), TestContent.BROKEN_RULE);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !((List<?>) get("/api/rules").getBody().get("rejectedProblems")).isEmpty());
            Map<String, Object> rejected = get("/api/rules").getBody();
            assertThat(rejected.get("version")).isEqualTo(live.getBody().get("version"));
            assertThat(rejected.get("rejectedProblems").toString()).contains("broken.drl");
        } finally {
            Files.delete(CONTENT.root().resolve("rules/broken.drl"));
        }
    }

    private TestRestTemplate admin() {
        return http.withBasicAuth("admin", "callflow");
    }

    private ResponseEntity<Map<String, Object>> get(String path) {
        return admin().exchange(path, HttpMethod.GET, null, JSON);
    }

    private ResponseEntity<Map<String, Object>> post(String path, String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return admin().exchange(path, HttpMethod.POST, new HttpEntity<>(body, headers), JSON);
    }
}
