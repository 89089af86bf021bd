package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.callflow.call.RegistrationChanged;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.IdentityService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
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
import org.springframework.util.LinkedMultiValueMap;

/**
 * The audit log over real HTTP: a failed login, a login, a pause through the API and a deployment through Camunda's
 * REST API are read back by an administrator through {@code GET /api/v1/audit}, with actor, action, target, source and
 * outcome; reads add nothing; bad parameters are problem details; a user without the ADMIN role is refused.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class AuditTest {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/test.drl", TestContent.RULE)
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, name: Alice, sipUser: "1001", password: alice-1001 }
                    queues:
                      - { name: sales, members: [ alice ] }
                    """);
    static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };
    static final String BPMN = """
            <?xml version="1.0" encoding="UTF-8"?>
            <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                         xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://callflow.io/test">
              <process id="audited" isExecutable="true" camunda:historyTimeToLive="P1D">
                <startEvent id="Start"/>
                <sequenceFlow id="Flow" sourceRef="Start" targetRef="End"/>
                <endEvent id="End"/>
              </process>
            </definitions>
            """;

    @DynamicPropertySource
    static void content(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
    }

    @Autowired TestRestTemplate http;
    @Autowired ApplicationEventPublisher events;
    @Autowired IdentityService identityService;

    @Test
    void loginsAndChangesAreReadBackByAnAdministrator() {
        assertThat(http.withBasicAuth("admin", "wrong").getForEntity("/api/v1/agents", String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);

        events.publishEvent(new RegistrationChanged("1001", 1, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> "AVAILABLE".equals(get("/api/v1/agents/alice").getBody()
                .get("state")));
        HttpHeaders json = new HttpHeaders();
        json.setContentType(MediaType.APPLICATION_JSON);
        assertThat(admin().exchange("/api/v1/agents/alice/pause", HttpMethod.POST,
                new HttpEntity<>("{\"reason\":\"audit\"}", json), JSON).getStatusCode()).isEqualTo(HttpStatus.OK);

        assertThat(deploy().getStatusCode()).isEqualTo(HttpStatus.OK);

        List<Map<String, Object>> entries = await().atMost(Duration.ofSeconds(10)).until(
                () -> entries("/api/v1/audit?size=500"), list -> list.stream().anyMatch(
                        entry -> "engine-rest.POST".equals(entry.get("action"))));
        assertThat(entries).anySatisfy(entry -> assertThat(entry).containsEntry("actor", "admin")
                .containsEntry("action", "login").containsEntry("outcome", "denied")
                .containsEntry("target", "GET /api/v1/agents").containsEntry("sourceAddress", "127.0.0.1"));
        assertThat(entries).filteredOn(entry -> "login".equals(entry.get("action"))
                && "success".equals(entry.get("outcome"))).filteredOn(entry -> "admin".equals(entry.get("actor")))
                .as("one successful login row for many requests")
                .singleElement().satisfies(entry -> assertThat(entry).containsEntry("actor", "admin")
                        .containsEntry("sourceAddress", "127.0.0.1"));
        assertThat(entries).anySatisfy(entry -> assertThat(entry).containsEntry("actor", "admin")
                .containsEntry("action", "api.POST").containsEntry("target", "/api/v1/agents/alice/pause")
                .containsEntry("detail", "HTTP 200").containsEntry("outcome", "success")
                .containsEntry("sourceAddress", "127.0.0.1"));
        assertThat(entries).anySatisfy(entry -> assertThat(entry).containsEntry("actor", "admin")
                .containsEntry("action", "engine-rest.POST").containsEntry("target", "/engine-rest/deployment/create")
                .containsEntry("outcome", "success").containsEntry("sourceAddress", "127.0.0.1"));
        assertThat(entries).extracting(entry -> (String) entry.get("action")).as("reads add no rows")
                .allMatch(action -> !action.endsWith(".GET"));
        assertThat(entries).extracting(entry -> Instant.parse((String) entry.get("at"))).as("newest first")
                .isSortedAccordingTo(java.util.Comparator.reverseOrder());

        assertThat(entries("/api/v1/audit?action=api.POST&actor=admin")).singleElement()
                .satisfies(entry -> assertThat(entry).containsEntry("target", "/api/v1/agents/alice/pause"));
        ResponseEntity<Map<String, Object>> page = get("/api/v1/audit?size=1&page=1");
        assertThat(page.getBody()).containsEntry("page", 1).containsEntry("size", 1);
        assertThat((List<?>) page.getBody().get("entries")).hasSize(1);
    }

    @Test
    void badParametersAreProblemDetails() {
        ResponseEntity<Map<String, Object>> from = get("/api/v1/audit?from=yesterday");
        assertThat(from.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat((String) from.getBody().get("detail")).contains("'from' must be an ISO-8601 instant");
        assertThat((String) get("/api/v1/audit?size=0").getBody().get("detail")).contains("'size' must be between 1");
        assertThat(get("/api/v1/audit?page=x").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(get("/api/v1/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z").getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
    }

    @Test
    void aUserWithoutTheAdminRoleMayNotReadIt() {
        if (identityService.createUserQuery().userId("viewer").count() == 0) {
            var viewer = identityService.newUser("viewer");
            viewer.setPassword("viewer-password");
            identityService.saveUser(viewer);
        }
        ResponseEntity<Map<String, Object>> refused = http.withBasicAuth("viewer", "viewer-password")
                .exchange("/api/v1/audit", HttpMethod.GET, null, JSON);
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(refused.getBody()).containsKey("detail");
    }

    private ResponseEntity<String> deploy() {
        LinkedMultiValueMap<String, Object> parts = new LinkedMultiValueMap<>();
        parts.add("deployment-name", "audited");
        parts.add("data", new ByteArrayResource(BPMN.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public String getFilename() {
                return "audited.bpmn";
            }
        });
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.MULTIPART_FORM_DATA);
        return admin().exchange("/engine-rest/deployment/create", HttpMethod.POST, new HttpEntity<>(parts, headers),
                String.class);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> entries(String path) {
        ResponseEntity<Map<String, Object>> page = get(path);
        assertThat(page.getStatusCode()).isEqualTo(HttpStatus.OK);
        return (List<Map<String, Object>>) page.getBody().get("entries");
    }

    private TestRestTemplate admin() {
        return http.withBasicAuth("admin", "callflow");
    }

    private ResponseEntity<Map<String, Object>> get(String path) {
        return admin().exchange(path, HttpMethod.GET, null, JSON);
    }
}
