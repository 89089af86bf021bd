package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import io.callflow.acd.Agents;
import io.callflow.call.RegistrationChanged;
import io.callflow.flow.ProcessFolderDeployer;
import io.callflow.support.LiveEventClient;
import io.callflow.support.TestContent;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

/**
 * Who may do what, over real HTTP on PostgreSQL with Camunda's authorization switched on: every operation of
 * Callflow's API and the engine's REST API operations an attacker used (issue 14), for a caller of each role. One
 * application context for the whole matrix.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles({"test", "postgres"})
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class RoleMatrixTest {

    static final EmbeddedPostgres POSTGRES = startPostgres();
    static final TestContent CONTENT = TestContent.create()
            .with("rules/test.drl", TestContent.RULE)
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, name: Alice, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                      - { id: bob, name: Bob, sipUser: "1002", password: bob-1002, skills: { english: 8 } }
                    queues:
                      - { name: sales, members: [ alice, bob ] }
                    """);
    static final Path MARKERS = CONTENT.root().resolve("markers");

    /** Who calls: a user of each role, one with no role at all, and no credentials. */
    enum Caller {
        ANONYMOUS(null, null, ""),
        NO_ROLE("mallory", "mallory-pw", ""),
        AGENT("alice", "alice-pw", Roles.AGENT_GROUP),
        SUPERVISOR("boss", "boss-password", Roles.SUPERVISOR_GROUP),
        ADMIN("admin", "callflow", Roles.ADMIN_GROUP);

        final String user;
        final String password;
        /** The role group the test puts the user in. */
        final String group;

        Caller(String user, String password, String group) {
            this.user = user;
            this.password = password;
            this.group = group;
        }
    }

    /** A call that alice answered: its record and its flow. */
    static final String ALICES_CALL = "matrix-call-alice";

    /** A webhook subscription (to a closed port on loopback) and one of its deliveries. */
    static final String WEBHOOK = "matrix-webhook";
    static final long WEBHOOK_DELIVERY = 424242;

    /** A live call that bob is talking to: its record and its flow (no SIP dialog: commands find it not live). */
    static final String BOBS_CALL = "matrix-call-bob";

    /** A user the administrator acts on where others would attack themselves or the administrator. */
    static final String RECRUIT = "recruit";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
        registry.add("spring.datasource.url", () -> POSTGRES.getJdbcUrl("postgres", "postgres"));
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        POSTGRES.close();
    }

    @Autowired TestRestTemplate http;
    @Autowired IdentityService identityService;
    @Autowired AuthorizationService authorizationService;
    @Autowired RepositoryService repositoryService;
    @Autowired RuntimeService runtimeService;
    @Autowired Agents agents;
    @Autowired ApplicationEventPublisher events;
    @Autowired RolesSetup rolesSetup;
    @Autowired ProcessFolderDeployer deployer;
    @Autowired JdbcTemplate jdbc;

    @BeforeAll
    void createUsersAndRegisterPhones() throws IOException {
        Files.createDirectories(MARKERS);
        for (Caller caller : List.of(Caller.NO_ROLE, Caller.AGENT, Caller.SUPERVISOR)) {
            createUser(caller.user, caller.password, caller.group);
        }
        createUser(RECRUIT, "recruit-pw", "");
        events.publishEvent(new RegistrationChanged("1001", 1, Instant.now()));
        events.publishEvent(new RegistrationChanged("1002", 1, Instant.now()));
        runtimeService.startProcessInstanceByKey("inbound-call", ALICES_CALL,
                Map.of("caller", "+4930111", "did", "100"));
        assertThat(jdbc.update("update call_record set agent = 'alice' where call_id = ?", ALICES_CALL)).isOne();
        runtimeService.startProcessInstanceByKey("inbound-call", BOBS_CALL, Map.of("caller", "+4930222", "did", "100"));
        assertThat(jdbc.update("update call_record set agent = 'bob' where call_id = ?", BOBS_CALL)).isOne();
        Path recordings = CONTENT.root().resolve("data/recordings");
        Files.createDirectories(recordings);
        Files.write(recordings.resolve(ALICES_CALL + ".wav"), new byte[] {'R', 'I', 'F', 'F'});
        await().atMost(Duration.ofSeconds(10)).until(() -> state("alice").equals("AVAILABLE")
                && state("bob").equals("AVAILABLE"));
        jdbc.update("insert into webhook_subscription (id, url, event_types, secret, active, batch_size, created_by,"
                + " created_at, updated_at) values (?, 'http://127.0.0.1:9/matrix', '*', 'matrix-secret-0123456789',"
                + " true, 1, 'admin', now(), now())", WEBHOOK);
        jdbc.update("insert into webhook_delivery (id, subscription_id, event_id, event_type, occurred_at, payload,"
                + " state, attempts, next_attempt_at, created_at, finished_at) values (?, ?, ?, 'call.ended', now(),"
                + " '{}', 'FAILED', 8, now(), now(), now())", WEBHOOK_DELIVERY, WEBHOOK, UUID.randomUUID().toString());
    }

    Stream<Arguments> operations() {
        List<Operation> operations = List.of(
                // Callflow's API
                get("/api/v1/me", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/agents", Caller.ADMIN, Caller.SUPERVISOR),
                get("/api/v1/agents/alice", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/agents/bob", Caller.ADMIN, Caller.SUPERVISOR),
                get("/api/v1/agents/alice/stats", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/agents/bob/stats", Caller.ADMIN, Caller.SUPERVISOR),
                get("/api/v1/queues/sales/stats", Caller.ADMIN, Caller.SUPERVISOR),
                get("/api/v1/queues/sales/callbacks", Caller.ADMIN, Caller.SUPERVISOR),
                cancelCallback(),
                get("/api/v1/rules", Caller.ADMIN, Caller.SUPERVISOR),
                // Live events: every role, each seeing what its role allows (LiveEventsTest)
                stream("GET /api/v1/events", HttpStatus.OK, Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                stream("GET /api/v1/events/ws (WebSocket handshake)", HttpStatus.SWITCHING_PROTOCOLS, Caller.ADMIN,
                        Caller.SUPERVISOR, Caller.AGENT),
                pauseOrResume("alice", "pause", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                pauseOrResume("bob", "pause", Caller.ADMIN, Caller.SUPERVISOR),
                pauseOrResume("alice", "resume", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                pauseOrResume("bob", "resume", Caller.ADMIN, Caller.SUPERVISOR),
                logOut("alice", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                logOut("bob", Caller.ADMIN, Caller.SUPERVISOR),
                // Call records: an agent sees its own calls only
                get("/api/v1/calls", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/calls?agent=alice", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/calls?agent=bob", Caller.ADMIN, Caller.SUPERVISOR),
                get("/api/v1/calls/" + ALICES_CALL, Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/calls/" + ALICES_CALL + "/path", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/calls/" + ALICES_CALL + "/diagram", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                // Live calls and call control: an agent sees and commands its own calls only. The matrix's calls have
                // no SIP dialog on this node, so an allowed command is answered 409 (not live here) and changes nothing.
                get("/api/v1/calls/live", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/calls/live?agent=bob", Caller.ADMIN, Caller.SUPERVISOR),
                get("/api/v1/calls/" + ALICES_CALL + "/timeline", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/calls/" + BOBS_CALL + "/timeline", Caller.ADMIN, Caller.SUPERVISOR),
                get("/api/v1/calls/" + ALICES_CALL + "/recording", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                command(HttpMethod.POST, ALICES_CALL, "/hangup", null, HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                command(HttpMethod.POST, BOBS_CALL, "/hangup", null, HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.POST, ALICES_CALL, "/transfer", Map.of("number", "2000"), HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                command(HttpMethod.POST, BOBS_CALL, "/transfer", Map.of("queue", "sales"), HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.POST, ALICES_CALL, "/recording", Map.of("action", "pause"), HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                command(HttpMethod.POST, BOBS_CALL, "/recording", Map.of("action", "stop"), HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR),
                // Supervisor monitoring: supervisors and administrators only; the call is not live here, so 409 / 404
                command(HttpMethod.POST, ALICES_CALL, "/monitor", Map.of("mode", "listen", "phone", "bob"),
                        HttpStatus.CONFLICT, Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.PUT, ALICES_CALL, "/monitor", Map.of("mode", "whisper"), HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.PATCH, ALICES_CALL, "/monitor", Map.of("mode", "barge"), HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.DELETE, ALICES_CALL, "/monitor", null, HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.GET, ALICES_CALL, "/monitor", null, HttpStatus.NOT_FOUND,
                        Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.POST, ALICES_CALL, "/hold", null, HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                command(HttpMethod.POST, BOBS_CALL, "/hold", null, HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.POST, ALICES_CALL, "/resume", null, HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                command(HttpMethod.POST, BOBS_CALL, "/resume", null, HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR),
                // Consultation (attended/warm transfer): the matrix's calls are not live here (409) and consult no one
                command(HttpMethod.POST, ALICES_CALL, "/consult", Map.of("number", "2000"), HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                command(HttpMethod.POST, BOBS_CALL, "/consult", Map.of("number", "2000"), HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.GET, ALICES_CALL, "/consult", null, HttpStatus.NOT_FOUND,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                command(HttpMethod.POST, ALICES_CALL, "/consult/complete", null, HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                command(HttpMethod.POST, BOBS_CALL, "/consult/cancel", null, HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.POST, ALICES_CALL, "/consult/conference", null, HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                // Conference rooms: the matrix's calls are not live here (409) and no room exists (404)
                get("/api/v1/conferences", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                conference(HttpMethod.POST, "", Map.of("callId", ALICES_CALL), HttpStatus.CONFLICT,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                conference(HttpMethod.POST, "", Map.of("callId", BOBS_CALL, "name", "bobs-room"),
                        HttpStatus.CONFLICT, Caller.ADMIN, Caller.SUPERVISOR),
                conference(HttpMethod.GET, "/matrix-room", null, HttpStatus.NOT_FOUND,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                conference(HttpMethod.POST, "/matrix-room/participants", Map.of("agent", "bob"),
                        HttpStatus.NOT_FOUND, Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                conference(HttpMethod.PATCH, "/matrix-room/participants/p1", Map.of("muted", true),
                        HttpStatus.NOT_FOUND, Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                conference(HttpMethod.DELETE, "/matrix-room/participants/p1", null, HttpStatus.NOT_FOUND,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/calls/" + ALICES_CALL + "/data", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                get("/api/v1/calls/" + BOBS_CALL + "/data", Caller.ADMIN, Caller.SUPERVISOR),
                command(HttpMethod.PATCH, ALICES_CALL, "/data", Map.of("ticket", "T-1"), HttpStatus.OK,
                        Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                command(HttpMethod.PUT, BOBS_CALL, "/data", Map.of("ticket", "T-2"), HttpStatus.OK,
                        Caller.ADMIN, Caller.SUPERVISOR),
                // Wrap-up: the codes for everyone, a call's disposition for its agent, supervisors and administrators
                get("/api/v1/dispositions", Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                disposition(ALICES_CALL, Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT),
                disposition(BOBS_CALL, Caller.ADMIN, Caller.SUPERVISOR),
                // Click-to-call: no outbound trunk is configured here, so an allowed request is answered 409
                new Operation("POST /api/v1/calls/originate (as alice)", HttpMethod.POST,
                        target -> "/api/v1/calls/originate", caller -> Map.of("agent", "alice", "number", "+4930999"),
                        roles(Caller.ADMIN, Caller.SUPERVISOR, Caller.AGENT), HttpStatus.CONFLICT, () -> { },
                        (caller, target, done) -> assertThat(state("alice")).isEqualTo("AVAILABLE")),
                new Operation("POST /api/v1/calls/originate (as bob)", HttpMethod.POST,
                        target -> "/api/v1/calls/originate", caller -> Map.of("agent", "bob", "number", "+4930999"),
                        roles(Caller.ADMIN, Caller.SUPERVISOR), HttpStatus.CONFLICT, () -> { },
                        (caller, target, done) -> assertThat(state("bob")).isEqualTo("AVAILABLE")),
                // Administration: supervisors read, administrators change
                get("/api/v1/admin/agents", Caller.ADMIN, Caller.SUPERVISOR),
                get("/api/v1/admin/queues/sales", Caller.ADMIN, Caller.SUPERVISOR),
                putNumber(),
                deleteNumber(),
                // The agents' dial plan and the outbound trunks: administrators only
                get("/api/v1/dialplan", Caller.ADMIN),
                putDialPlan(),
                get("/api/v1/trunks", Caller.ADMIN),
                // The audit log is for administrators only
                get("/api/v1/audit", Caller.ADMIN),
                // Webhooks are for administrators only (their URLs may hold tokens, their deliveries call data)
                get("/api/v1/webhooks", Caller.ADMIN),
                get("/api/v1/webhooks/" + WEBHOOK, Caller.ADMIN),
                get("/api/v1/webhooks/" + WEBHOOK + "/deliveries", Caller.ADMIN),
                createWebhook(),
                changeWebhook(),
                rotateWebhookSecret(),
                pingWebhook(),
                deleteWebhook(),
                retryWebhookDelivery(),
                // Actuator (health and info are public: healthDetailsAreForAdministratorsAndSupervisors)
                get("/actuator/prometheus", Caller.ADMIN),
                get("/actuator/metrics", Caller.ADMIN),
                // Camunda's REST API: reading calls, cancelling one, and what the attacker did
                get("/engine-rest/", Caller.ADMIN, Caller.SUPERVISOR),
                get("/engine-rest/process-instance", Caller.ADMIN, Caller.SUPERVISOR),
                get("/engine-rest/history/process-instance", Caller.ADMIN, Caller.SUPERVISOR),
                get("/engine-rest/process-definition", Caller.ADMIN, Caller.SUPERVISOR),
                cancelCall(),
                changeCallVariables(),
                joinGroup("/engine-rest/group/camunda-admin/members/", Roles.CAMUNDA_ADMIN_GROUP),
                joinGroup("/engine-rest/engine/default/group/callflow-admin/members/", Roles.ADMIN_GROUP),
                joinGroup("/engine-rest/group/callflow-supervisor/members/", Roles.SUPERVISOR_GROUP),
                createUser(),
                resetPassword(),
                deployCode());
        return operations.stream().flatMap(operation -> Stream.of(Caller.values())
                .map(caller -> Arguments.of(operation, caller)));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("operations")
    void eachRoleMayDoWhatTheTableSaysAndNothingElse(Operation operation, Caller caller) {
        operation.prepare().run();
        String target = caller == Caller.ADMIN ? RECRUIT : caller.user;
        ResponseEntity<String> answer = call(caller, operation.method(), operation.path().apply(target),
                operation.body().apply(caller));

        boolean allowed = operation.allowed().contains(caller);
        HttpStatus expected = caller == Caller.ANONYMOUS ? HttpStatus.UNAUTHORIZED
                : allowed ? operation.success() : HttpStatus.FORBIDDEN;
        assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(expected);
        operation.effect().check(caller, target, allowed);
    }

    /**
     * The OpenAPI document is public, valid OpenAPI 3, states each operation's roles, and every operation it lists is
     * in this matrix, so a new endpoint cannot ship without its role test.
     */
    @Test
    void everyDocumentedOperationIsValidStatesItsRolesAndIsInTheMatrix() {
        ResponseEntity<String> document = call(Caller.ANONYMOUS, HttpMethod.GET, "/api/v1/openapi.json", null);
        assertThat(document.getStatusCode()).isEqualTo(HttpStatus.OK);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document.getBody(), null, null);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).startsWith("3.");

        List<String> tested = operations().map(arguments -> (Operation) arguments.get()[0])
                .map(operation -> operation.name().replaceFirst("\\?.*", "").replaceFirst(" \\(.*", ""))
                .distinct().toList();
        List<String> documented = new ArrayList<>();
        parsed.getOpenAPI().getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            documented.add(method + " " + path);
            assertThat(op.getExtensions()).as(method + " " + path).containsKey("x-roles");
            assertThat((List<?>) op.getExtensions().get("x-roles")).as(method + " " + path).isNotEmpty();
            String template = "\\Q" + path.replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q") + "\\E";
            assertThat(tested).as("the role matrix tests %s %s", method, path)
                    .anyMatch(operation -> operation.matches(method + " " + template));
        }));
        assertThat(documented).contains("GET /api/v1/agents", "POST /api/v1/agents/{agentId}/pause",
                "GET /api/v1/calls", "GET /api/v1/calls/{callId}", "GET /api/v1/audit");
        ResponseEntity<String> swaggerUi = call(Caller.ANONYMOUS, HttpMethod.GET, "/api/v1/docs", null);
        assertThat(swaggerUi.getStatusCode()).as(swaggerUi.getHeaders().toString()).isEqualTo(HttpStatus.OK);
        assertThat(swaggerUi.getBody()).contains("Swagger UI");
    }

    @Test
    void anAgentCannotPauseAnotherAgent() {
        agents.resume("bob");
        assertThat(state("bob")).isEqualTo("AVAILABLE");

        ResponseEntity<String> answer = call(Caller.AGENT, HttpMethod.POST, "/api/v1/agents/bob/pause", null);

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(answer.getBody()).contains("Your role does not allow this operation");
        assertThat(state("bob")).isEqualTo("AVAILABLE");
    }

    @Test
    void theEngineItselfRefusesEscalationToEveryNonAdministrator() {
        for (Caller caller : List.of(Caller.NO_ROLE, Caller.AGENT, Caller.SUPERVISOR)) {
            identityService.setAuthentication(caller.user, groupsOf(caller.user));
            try {
                assertThatThrownBy(() -> identityService.createMembership(caller.user, Roles.CAMUNDA_ADMIN_GROUP))
                        .isInstanceOf(AuthorizationException.class);
                assertThatThrownBy(() -> identityService.saveUser(identityService.newUser("sneaky")))
                        .isInstanceOf(AuthorizationException.class);
                assertThatThrownBy(() -> repositoryService.createDeployment().name("sneaky")
                        .addString("sneaky.bpmn", maliciousProcess(MARKERS.resolve("engine-" + caller))).deploy())
                        .isInstanceOf(AuthorizationException.class);
            } finally {
                identityService.clearAuthentication();
            }
        }
        assertThat(identityService.createUserQuery().memberOfGroup(Roles.CAMUNDA_ADMIN_GROUP).list())
                .extracting(User::getId).doesNotContain("mallory", "alice", "boss");
        assertThat(repositoryService.createDeploymentQuery().deploymentName("sneaky").count()).isZero();
    }

    /**
     * Callflow's own code calls the engine on its own threads with no engine user (here: the test's thread), the way
     * flows start, calls end, lost calls are cleaned up (LostCalls: variables, hang-up message, cancel) and
     * {@code processes/} is deployed; authorization being on must not refuse any of it.
     */
    @Test
    void callflowsOwnEngineCallsNeedNoUser() {
        assertThat(identityService.getCurrentAuthentication()).isNull();
        String hungUp = startCall();
        runtimeService.setVariables(hungUp, Map.of("hangupCause", "CALL_LOST"));
        String businessKey = runtimeService.createProcessInstanceQuery().processInstanceId(hungUp).singleResult()
                .getBusinessKey();
        runtimeService.createMessageCorrelation("CallerHungUp").processInstanceBusinessKey(businessKey).correlate();
        String cancelled = startCall();
        runtimeService.deleteProcessInstance(cancelled, "CALL_LOST", false, true);

        assertThat(runtimeService.createProcessInstanceQuery().processInstanceIds(Set.of(hungUp, cancelled)).count())
                .isZero();
        assertThat(deployer.deployAll().rejected()).isEmpty();
        assertThat(agents.find("alice")).isPresent();
    }

    @Test
    void aDeploymentThroughTheRestApiIsLoggedWithItsUser(CapturedOutput output) {
        ResponseEntity<String> answer = call(Caller.ADMIN, HttpMethod.POST, "/engine-rest/deployment/create",
                deployment("harmless", "harmless.bpmn", harmlessProcess()));

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(output.getOut()).containsPattern(
                "User 'admin' deployed 'harmless' \\(deployment [0-9a-f-]+\\) with resources \\[harmless.bpmn]");
    }

    @Test
    void healthDetailsAreForAdministratorsAndSupervisors() {
        for (Caller caller : Caller.values()) {
            ResponseEntity<String> health = call(caller, HttpMethod.GET, "/actuator/health", null);
            assertThat(health.getStatusCode()).isEqualTo(HttpStatus.OK);
            boolean details = caller == Caller.ADMIN || caller == Caller.SUPERVISOR;
            assertThat(health.getBody().contains("\"components\"")).as(caller + ": " + health.getBody())
                    .isEqualTo(details);
            assertThat(call(caller, HttpMethod.GET, "/actuator/info", null).getStatusCode()).isEqualTo(HttpStatus.OK);
        }
    }

    @Test
    void cockpitLetsAdministratorsAndSupervisorsInButNotAgents() {
        assertThat(webappLogin(Caller.ADMIN, "cockpit")).isEqualTo(HttpStatus.OK);
        assertThat(webappLogin(Caller.ADMIN, "admin")).isEqualTo(HttpStatus.OK);
        assertThat(webappLogin(Caller.SUPERVISOR, "cockpit")).isEqualTo(HttpStatus.OK);
        assertThat(webappLogin(Caller.SUPERVISOR, "admin")).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(webappLogin(Caller.AGENT, "cockpit")).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(webappLogin(Caller.NO_ROLE, "tasklist")).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void rolesAreRestoredOnAnExistingDatabaseWithoutDuplicates() {
        long authorizations = authorizationService.createAuthorizationQuery().count();
        // An older database: no supervisor grants, the administrator only in camunda-admin.
        for (RolesSetup.Grant grant : RolesSetup.SUPERVISOR_GRANTS) {
            authorizationService.createAuthorizationQuery().groupIdIn(Roles.SUPERVISOR_GROUP)
                    .resourceType(grant.resource()).resourceId(grant.resourceId()).list()
                    .forEach(authorization -> authorizationService.deleteAuthorization(authorization.getId()));
        }
        identityService.deleteMembership("admin", Roles.ADMIN_GROUP);

        rolesSetup.afterPropertiesSet();
        rolesSetup.afterPropertiesSet();

        assertThat(authorizationService.createAuthorizationQuery().count()).isEqualTo(authorizations);
        assertThat(groupsOf("admin")).contains(Roles.CAMUNDA_ADMIN_GROUP, Roles.ADMIN_GROUP);
        assertThat(call(Caller.SUPERVISOR, HttpMethod.GET, "/engine-rest/process-definition", null).getBody())
                .contains("inbound-call");
    }

    // --- the operations

    record Operation(String name, HttpMethod method, Function<String, String> path,
            Function<Caller, Object> body, Set<Caller> allowed, HttpStatus success, Runnable prepare, Effect effect) {

        @Override
        public String toString() {
            return name;
        }
    }

    /** What an operation changed, checked after the call: done when allowed, nothing when refused. */
    interface Effect {
        void check(Caller caller, String target, boolean allowed);
    }

    private static Operation get(String path, Caller... allowed) {
        return new Operation("GET " + path, HttpMethod.GET, target -> path, caller -> null, roles(allowed),
                HttpStatus.OK, () -> { }, (caller, target, done) -> { });
    }

    /** An operation on conference rooms: what it answers when allowed; nothing else to check (no room exists). */
    private static Operation conference(HttpMethod method, String suffix, Object body, HttpStatus success,
            Caller... allowed) {
        String path = "/api/v1/conferences" + suffix;
        return new Operation(method + " " + path, method, target -> path,
                caller -> body, roles(allowed), success, () -> { }, (caller, target, done) -> { });
    }

    /** A command on a call: what it answers when allowed ({@code success}); refused, the call's flow is untouched. */
    private Operation command(HttpMethod method, String callId, String suffix, Object body, HttpStatus success,
            Caller... allowed) {
        String path = "/api/v1/calls/" + callId + suffix;
        return new Operation(method + " " + path, method, target -> path, caller -> body, roles(allowed), success,
                () -> { }, (caller, target, done) -> {
                    var flow = runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(callId)
                            .singleResult();
                    assertThat(flow).as("the call's flow runs on").isNotNull();
                    if (body instanceof Map<?, ?> data && data.containsKey("ticket")) {
                        // Refused callers come before the allowed ones in the matrix: nothing set yet.
                        assertThat(runtimeService.getVariable(flow.getId(), "ticket") != null).isEqualTo(done);
                    }
                });
    }

    /** Giving a call its wrap-up code: stored on the record only when allowed. */
    private Operation disposition(String callId, Caller... allowed) {
        String path = "/api/v1/calls/" + callId + "/disposition";
        return new Operation("PUT " + path, HttpMethod.PUT, target -> path,
                caller -> Map.of("code", "Resolved", "note", "by " + caller), roles(allowed), HttpStatus.OK,
                () -> jdbc.update("update call_record set disposition = null, disposition_note = null"
                        + " where call_id = ?", callId),
                (caller, target, done) -> assertThat(jdbc.queryForObject("select disposition_note from call_record"
                        + " where call_id = ?", String.class, callId)).isEqualTo(done ? "by " + caller : null));
    }

    /** Opening a live event stream: the status of the response (or the handshake), then the client hangs up. */
    private static Operation stream(String name, HttpStatus success, Caller... allowed) {
        String path = name.split(" ")[1];
        return new Operation(name, HttpMethod.GET, target -> path, caller -> null, roles(allowed), success, () -> { },
                (caller, target, done) -> { });
    }

    private Operation pauseOrResume(String agent, String action, Caller... allowed) {
        String path = "/api/v1/agents/" + agent + "/" + action;
        boolean pause = action.equals("pause");
        return new Operation("POST " + path, HttpMethod.POST, target -> path, caller -> null, roles(allowed),
                HttpStatus.OK,
                () -> {
                    if (pause) {
                        agents.resume(agent);
                    } else {
                        agents.pause(agent, "break");
                    }
                },
                (caller, target, done) -> assertThat(state(agent))
                        .isEqualTo(pause == done ? "PAUSED" : "AVAILABLE"));
    }

    /** Logging an agent out: OFFLINE when allowed, still AVAILABLE otherwise. */
    private Operation logOut(String agent, Caller... allowed) {
        String path = "/api/v1/agents/" + agent + "/logout";
        return new Operation("POST " + path, HttpMethod.POST, target -> path, caller -> null, roles(allowed),
                HttpStatus.OK,
                () -> jdbc.update("update agent set state = 'AVAILABLE', registered = true where id = ?", agent),
                (caller, target, done) -> {
                    assertThat(state(agent)).isEqualTo(done ? "OFFLINE" : "AVAILABLE");
                    // Back in for the operations after this one.
                    jdbc.update("update agent set state = 'AVAILABLE' where id = ?", agent);
                });
    }

    private Operation putNumber() {
        return new Operation("PUT /api/v1/admin/dids/{number}", HttpMethod.PUT, target -> "/api/v1/admin/dids/" + target,
                caller -> Map.of("flow", "inbound-call"), roles(Caller.ADMIN), HttpStatus.CREATED, () -> { },
                (caller, target, done) -> assertThat(jdbc.queryForObject("select count(*) from did_route where did = ?",
                        Integer.class, target)).isEqualTo(done ? 1 : 0));
    }

    /** Each allowed caller sets a feature code of its own; nobody else's appears. */
    private Operation putDialPlan() {
        return new Operation("PUT /api/v1/dialplan", HttpMethod.PUT, target -> "/api/v1/dialplan",
                caller -> Map.of("features", List.of(Map.of("code", "*" + (40 + caller.ordinal()), "feature",
                        "pause"))), roles(Caller.ADMIN), HttpStatus.OK, () -> { },
                (caller, target, done) -> assertThat(jdbc.queryForList("select document from agent_dial_plan",
                        String.class).stream().anyMatch(plan -> plan.contains("*" + (40 + caller.ordinal()))))
                        .isEqualTo(done));
    }

    /** A pending callback of queue sales (no process runs for it here: the cancel still ends its record). */
    private Operation cancelCallback() {
        String callback = "matrix-callback";
        return new Operation("DELETE /api/v1/queues/{queue}/callbacks/{callbackId}", HttpMethod.DELETE,
                target -> "/api/v1/queues/sales/callbacks/" + callback, caller -> null,
                roles(Caller.ADMIN, Caller.SUPERVISOR), HttpStatus.NO_CONTENT,
                () -> jdbc.update("insert into callback (id, call_id, queue_name, number, entered_at, requested_at,"
                        + " expires_at, state) values (?, 'matrix-caller', 'sales', '4930111', now(), now(),"
                        + " now() + interval '1 hour', 'PENDING') on conflict (id) do update set state = 'PENDING',"
                        + " ended_at = null", callback),
                (caller, target, done) -> assertThat(jdbc.queryForObject("select state from callback where id = ?",
                        String.class, callback)).isEqualTo(done ? "CANCELLED" : "PENDING"));
    }

    private Operation deleteNumber() {
        String number = "555";
        return new Operation("DELETE /api/v1/admin/dids/{number}", HttpMethod.DELETE,
                target -> "/api/v1/admin/dids/" + number, caller -> null, roles(Caller.ADMIN), HttpStatus.NO_CONTENT,
                () -> jdbc.update("insert into did_route (did, flow_key, managed_by) values (?, 'x', 'api')"
                        + " on conflict (did) do nothing",
                        number),
                (caller, target, done) -> assertThat(jdbc.queryForObject("select count(*) from did_route where did = ?",
                        Integer.class, number)).isEqualTo(done ? 0 : 1));
    }

    private Operation createWebhook() {
        Function<Caller, String> url = caller -> "http://127.0.0.1:9/made-by-" + caller.name();
        return new Operation("POST /api/v1/webhooks", HttpMethod.POST, target -> "/api/v1/webhooks",
                caller -> Map.of("url", url.apply(caller), "eventTypes", List.of("*")), roles(Caller.ADMIN),
                HttpStatus.CREATED, () -> { },
                (caller, target, done) -> assertThat(jdbc.queryForObject("select count(*) from webhook_subscription"
                        + " where url = ?", Integer.class, url.apply(caller))).isEqualTo(done ? 1 : 0));
    }

    private Operation changeWebhook() {
        return new Operation("PUT /api/v1/webhooks/{id}", HttpMethod.PUT, target -> "/api/v1/webhooks/" + WEBHOOK,
                caller -> Map.of("url", "http://127.0.0.1:9/matrix", "eventTypes", List.of("*"), "batchSize", 2),
                roles(Caller.ADMIN), HttpStatus.OK,
                () -> jdbc.update("update webhook_subscription set batch_size = 1 where id = ?", WEBHOOK),
                (caller, target, done) -> assertThat(jdbc.queryForObject("select batch_size from webhook_subscription"
                        + " where id = ?", Integer.class, WEBHOOK)).isEqualTo(done ? 2 : 1));
    }

    private Operation rotateWebhookSecret() {
        String known = "matrix-secret-0123456789";
        return new Operation("POST /api/v1/webhooks/{id}/rotate-secret", HttpMethod.POST,
                target -> "/api/v1/webhooks/" + WEBHOOK + "/rotate-secret", caller -> null, roles(Caller.ADMIN),
                HttpStatus.OK,
                () -> jdbc.update("update webhook_subscription set secret = ? where id = ?", known, WEBHOOK),
                (caller, target, done) -> assertThat(jdbc.queryForObject("select secret from webhook_subscription"
                        + " where id = ?", String.class, WEBHOOK).equals(known)).isNotEqualTo(done));
    }

    private Operation pingWebhook() {
        String pings = "select count(*) from webhook_delivery where subscription_id = ? and event_type = 'webhook.ping'";
        return new Operation("POST /api/v1/webhooks/{id}/test", HttpMethod.POST,
                target -> "/api/v1/webhooks/" + WEBHOOK + "/test", caller -> null, roles(Caller.ADMIN),
                HttpStatus.ACCEPTED,
                () -> jdbc.update("delete from webhook_delivery where subscription_id = ? and event_type ="
                        + " 'webhook.ping'", WEBHOOK),
                (caller, target, done) -> assertThat(jdbc.queryForObject(pings, Integer.class, WEBHOOK))
                        .isEqualTo(done ? 1 : 0));
    }

    private Operation deleteWebhook() {
        String doomed = "matrix-webhook-doomed";
        return new Operation("DELETE /api/v1/webhooks/{id}", HttpMethod.DELETE,
                target -> "/api/v1/webhooks/" + doomed, caller -> null, roles(Caller.ADMIN), HttpStatus.NO_CONTENT,
                () -> jdbc.update("insert into webhook_subscription (id, url, event_types, secret, active, batch_size,"
                        + " created_by, created_at, updated_at) values (?, 'http://127.0.0.1:9/doomed', '*',"
                        + " 'doomed-secret-0123456789', false, 1, 'admin', now(), now()) on conflict (id) do nothing",
                        doomed),
                (caller, target, done) -> assertThat(jdbc.queryForObject("select count(*) from webhook_subscription"
                        + " where id = ?", Integer.class, doomed)).isEqualTo(done ? 0 : 1));
    }

    private Operation retryWebhookDelivery() {
        return new Operation("POST /api/v1/webhooks/deliveries/{deliveryId}/retry", HttpMethod.POST,
                target -> "/api/v1/webhooks/deliveries/" + WEBHOOK_DELIVERY + "/retry", caller -> null,
                roles(Caller.ADMIN), HttpStatus.ACCEPTED,
                () -> jdbc.update("update webhook_delivery set state = 'FAILED', finished_at = now() where id = ?",
                        WEBHOOK_DELIVERY),
                (caller, target, done) -> assertThat(jdbc.queryForObject("select state from webhook_delivery"
                        + " where id = ?", String.class, WEBHOOK_DELIVERY)).isEqualTo(done ? "PENDING" : "FAILED"));
    }

    private Operation cancelCall() {
        List<String> calls = new ArrayList<>();
        return new Operation("DELETE /engine-rest/process-instance/{call}", HttpMethod.DELETE,
                target -> "/engine-rest/process-instance/" + calls.get(0), caller -> null,
                roles(Caller.ADMIN, Caller.SUPERVISOR), HttpStatus.NO_CONTENT,
                () -> {
                    calls.clear();
                    calls.add(startCall());
                },
                (caller, target, done) -> assertThat(runtimeService.createProcessInstanceQuery()
                        .processInstanceId(calls.get(0)).count()).isEqualTo(done ? 0 : 1));
    }

    private Operation changeCallVariables() {
        List<String> calls = new ArrayList<>();
        return new Operation("POST /engine-rest/process-instance/{call}/variables", HttpMethod.POST,
                target -> "/engine-rest/process-instance/" + calls.get(0) + "/variables",
                caller -> Map.of("modifications", Map.of("did", Map.of("value", "666", "type", "String"))),
                roles(Caller.ADMIN), HttpStatus.NO_CONTENT,
                () -> {
                    calls.clear();
                    calls.add(startCall());
                },
                (caller, target, done) -> assertThat(runtimeService.getVariable(calls.get(0), "did"))
                        .isEqualTo(done ? "666" : "100"));
    }

    private Operation joinGroup(String pathToMembers, String group) {
        return new Operation("PUT " + pathToMembers + "{me}", HttpMethod.PUT, target -> pathToMembers + target,
                caller -> null, roles(Caller.ADMIN), HttpStatus.NO_CONTENT, () -> { },
                (caller, target, done) -> {
                    if (target != null) {
                        assertThat(groupsOf(target).contains(group)).isEqualTo(done || caller.group.equals(group));
                    }
                });
    }

    private Operation createUser() {
        Function<Caller, String> newUser = caller -> "madeby" + caller.name().toLowerCase().replace("_", "");
        return new Operation("POST /engine-rest/user/create", HttpMethod.POST, target -> "/engine-rest/user/create",
                caller -> Map.of("profile", Map.of("id", newUser.apply(caller)),
                        "credentials", Map.of("password", "Made-123")),
                roles(Caller.ADMIN), HttpStatus.NO_CONTENT, () -> { },
                (caller, target, done) -> assertThat(identityService.createUserQuery().userId(newUser.apply(caller))
                        .count()).isEqualTo(done ? 1 : 0));
    }

    /** Everyone else tries the administrator's password; the administrator sets the recruit's. */
    private Operation resetPassword() {
        return new Operation("PUT /engine-rest/user/admin/credentials", HttpMethod.PUT,
                target -> "/engine-rest/user/" + (RECRUIT.equals(target) ? RECRUIT : "admin") + "/credentials",
                caller -> Map.of("password", "Pwned-123", "authenticatedUserPassword",
                        caller.password == null ? "" : caller.password),
                roles(Caller.ADMIN), HttpStatus.NO_CONTENT, () -> { },
                (caller, target, done) -> {
                    // Only ever the right password: a wrong one counts towards Camunda's lock-out of the user.
                    if (done) {
                        assertThat(identityService.checkPassword(RECRUIT, "Pwned-123")).isTrue();
                    } else {
                        assertThat(identityService.checkPassword("admin", "callflow")).isTrue();
                    }
                });
    }

    /**
     * The attacker's deployment: a start timer whose date is an expression that creates a file on the server, evaluated
     * when the deployment schedules the timer. The administrator's goes through and writes its marker, which shows
     * the payload is real.
     */
    private Operation deployCode() {
        return new Operation("POST /engine-rest/deployment/create (code that writes a file)", HttpMethod.POST,
                target -> "/engine-rest/deployment/create",
                caller -> deployment("payload-" + caller.name(), "payload.bpmn",
                        maliciousProcess(MARKERS.resolve("marker-" + caller.name()))),
                roles(Caller.ADMIN), HttpStatus.OK, () -> { },
                (caller, target, done) -> {
                    Path marker = MARKERS.resolve("marker-" + caller.name());
                    if (done) {
                        assertThat(marker).exists();
                    } else {
                        assertThat(repositoryService.createDeploymentQuery().deploymentName("payload-" + caller.name())
                                .count()).isZero();
                        assertThat(marker).doesNotExist();
                    }
                });
    }

    // --- helpers

    private ResponseEntity<String> call(Caller caller, HttpMethod method, String path, Object body) {
        if (path.startsWith("/api/v1/events")) {
            return openStream(caller, path);
        }
        TestRestTemplate client = caller.user == null ? http : http.withBasicAuth(caller.user, caller.password);
        HttpEntity<?> entity;
        if (body instanceof HttpEntity<?> prepared) {
            entity = prepared;
        } else {
            HttpHeaders headers = new HttpHeaders();
            headers.setContentType(MediaType.APPLICATION_JSON);
            entity = new HttpEntity<>(body, headers);
        }
        return client.exchange(path, method, entity, String.class);
    }

    private ResponseEntity<String> openStream(Caller caller, String path) {
        URI base = URI.create(http.getRootUri());
        boolean webSocket = path.endsWith("/ws");
        try (LiveEventClient client = webSocket ? LiveEventClient.webSocket(base, caller.user, caller.password, "")
                : LiveEventClient.sse(base, caller.user, caller.password, "")) {
            client.next(event -> event.type().equals("stream.subscribed"), Duration.ofSeconds(10));
            return ResponseEntity.status(webSocket ? HttpStatus.SWITCHING_PROTOCOLS : HttpStatus.OK).body("opened");
        } catch (LiveEventClient.Refused refused) {
            return ResponseEntity.status(refused.status()).body(refused.getMessage());
        } catch (Exception e) {
            throw new AssertionError("opening " + path + " as " + caller + " failed", e);
        }
    }

    private HttpStatus webappLogin(Caller caller, String app) {
        ResponseEntity<String> page = http.getForEntity("/camunda/app/" + app + "/default/", String.class);
        String csrfToken = page.getHeaders().getFirst("X-XSRF-TOKEN");
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_FORM_URLENCODED);
        List<String> cookies = page.getHeaders().getOrEmpty(HttpHeaders.SET_COOKIE).stream()
                .map(cookie -> cookie.split(";", 2)[0]).toList();
        headers.put(HttpHeaders.COOKIE, List.of(String.join("; ", cookies)));
        if (csrfToken != null) {
            headers.set("X-XSRF-TOKEN", csrfToken);
        }
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("username", caller.user);
        form.add("password", caller.password);
        return HttpStatus.valueOf(http.postForEntity("/camunda/api/admin/auth/user/default/login/" + app,
                new HttpEntity<>(form, headers), String.class).getStatusCode().value());
    }

    private static HttpEntity<MultiValueMap<String, Object>> deployment(String name, String file, String bpmn) {
        MultiValueMap<String, Object> parts = new LinkedMultiValueMap<>();
        parts.add("deployment-name", name);
        parts.add("data", new ByteArrayResource(bpmn.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public String getFilename() {
                return file;
            }
        });
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.MULTIPART_FORM_DATA);
        return new HttpEntity<>(parts, headers);
    }

    private static String maliciousProcess(Path marker) {
        String expression = "${''.getClass().forName('java.io.File').getConstructor(''.getClass())"
                + ".newInstance('" + marker.toAbsolutePath() + "').createNewFile() ? '2999-01-01T00:00:00' : "
                + "'2999-01-01T00:00:00'}";
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Payload" targetNamespace="https://x">
                  <bpmn:process id="payload" isExecutable="true" camunda:historyTimeToLive="P1D">
                    <bpmn:startEvent id="Someday">
                      <bpmn:timerEventDefinition><bpmn:timeDate>%s</bpmn:timeDate></bpmn:timerEventDefinition>
                    </bpmn:startEvent>
                    <bpmn:sequenceFlow id="ToDone" sourceRef="Someday" targetRef="Done" />
                    <bpmn:endEvent id="Done" />
                  </bpmn:process>
                </bpmn:definitions>
                """.formatted(expression);
    }

    private static String harmlessProcess() {
        return TestContent.EXTRA_FLOW.replace("after-hours", "harmless");
    }

    private String startCall() {
        return runtimeService.startProcessInstanceByKey("inbound-call", "call-" + System.nanoTime(),
                Map.of("caller", "+4930123456", "did", "100")).getId();
    }

    private String state(String agent) {
        return agents.find(agent).orElseThrow().state().name();
    }

    private List<String> groupsOf(String user) {
        return identityService.createGroupQuery().groupMember(user).list().stream().map(group -> group.getId())
                .toList();
    }

    private void createUser(String id, String password, String group) {
        User user = identityService.newUser(id);
        user.setPassword(password);
        identityService.saveUser(user);
        if (!group.isEmpty()) {
            identityService.createMembership(id, group);
        }
    }

    private static Set<Caller> roles(Caller... allowed) {
        return allowed.length == 0 ? EnumSet.noneOf(Caller.class) : EnumSet.copyOf(List.of(allowed));
    }

    private static EmbeddedPostgres startPostgres() {
        try {
            return EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL for the test", e);
        }
    }
}
