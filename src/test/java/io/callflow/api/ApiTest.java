package io.callflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.callflow.acd.BusinessCalendars;
import io.callflow.acd.CallDistributor;
import io.callflow.acd.EnqueueRequest;
import io.callflow.acd.EnqueueResult;
import io.callflow.call.CallId;
import io.callflow.call.RegistrationChanged;
import io.callflow.routing.CalendarStatus;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
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
import org.springframework.jdbc.core.JdbcTemplate;
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
                    calendars:
                      - { name: main, hours: "MON-FRI 08:00-20:00" }
                    queues:
                      - { name: sales, members: [ alice ] }
                    dids:
                      - { did: "100", flow: inbound-call, calendar: main }
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
    @Autowired JdbcTemplate jdbc;
    @Autowired BusinessCalendars calendars;
    @Autowired CallDistributor distributor;
    @Autowired RepositoryService repositoryService;
    @Autowired RuntimeService runtimeService;

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
        assertThat(http.getForEntity("/api/v1/agents", String.class).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(http.withBasicAuth("admin", "wrong").getForEntity("/api/v1/agents", String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void meTellsTheUserItsIdAndRolesAndAWrongPasswordIsRefused() {
        assertThat(get("/api/v1/me").getBody()).containsEntry("id", "admin").containsEntry("roles", List.of("ADMIN"));
        createUser("carla", "carla-password", Roles.SUPERVISOR_GROUP);
        try {
            assertThat(http.withBasicAuth("carla", "carla-password").exchange("/api/v1/me", HttpMethod.GET, null, JSON)
                    .getBody()).containsEntry("id", "carla").containsEntry("roles", List.of("SUPERVISOR"));
            assertThat(http.withBasicAuth("carla", "wrong-password").getForEntity("/api/v1/me", String.class)
                    .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
            // The pages send this header so that a wrong password shows their own error, not the browser's login box.
            HttpHeaders fromThePages = new HttpHeaders();
            fromThePages.setBasicAuth("carla", "wrong-password");
            fromThePages.set("X-Requested-With", "XMLHttpRequest");
            ResponseEntity<String> refused = http.exchange("/api/v1/me", HttpMethod.GET, new HttpEntity<>(fromThePages),
                    String.class);
            assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(refused.getHeaders().containsKey(HttpHeaders.WWW_AUTHENTICATE)).isFalse();
        } finally {
            identityService.deleteUser("carla");
        }
    }

    @Test
    void agentsAreListedAndAnUnknownOneIsNotFound() {
        ResponseEntity<List<Map<String, Object>>> list = admin().exchange("/api/v1/agents", HttpMethod.GET, null,
                new ParameterizedTypeReference<>() { });
        assertThat(list.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(list.getBody()).extracting(agent -> agent.get("id")).contains("alice");

        ResponseEntity<Map<String, Object>> unknown = get("/api/v1/agents/nobody");
        assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(unknown.getBody().get("detail")).isEqualTo("There is no agent 'nobody'");
    }

    @Test
    void anAgentPausesWithAReasonAndResumesOnlyWhenThatIsAllowed() {
        events.publishEvent(new RegistrationChanged("1001", 0, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> "OFFLINE".equals(get("/api/v1/agents/alice").getBody()
                .get("state")));
        ResponseEntity<Map<String, Object>> offline = post("/api/v1/agents/alice/pause", "{\"reason\":\"lunch\"}");
        assertThat(offline.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat((String) offline.getBody().get("detail")).contains("is OFFLINE");

        events.publishEvent(new RegistrationChanged("1001", 1, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> "AVAILABLE".equals(get("/api/v1/agents/alice").getBody()
                .get("state")));
        ResponseEntity<Map<String, Object>> paused = post("/api/v1/agents/alice/pause", "{\"reason\":\"lunch\"}");
        assertThat(paused.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(paused.getBody()).containsEntry("state", "PAUSED").containsEntry("stateReason", "lunch");

        assertThat(post("/api/v1/agents/alice/pause", "{not json").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(post("/api/v1/agents/alice/resume", null).getBody()).containsEntry("state", "AVAILABLE");
        assertThat(post("/api/v1/agents/alice/resume", null).getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        events.publishEvent(new RegistrationChanged("1001", 0, Instant.now()));
    }

    @Test
    void queueStatisticsCoverAnIntervalAndRejectNonsense() {
        ResponseEntity<Map<String, Object>> today = get("/api/v1/queues/sales/stats");
        assertThat(today.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(today.getBody()).containsEntry("queue", "sales").containsKeys("offered", "serviceLevelPercent",
                "averageSpeedOfAnswer", "agentsNeeded", "waitingNow");

        ResponseEntity<Map<String, Object>> interval = get(
                "/api/v1/queues/sales/stats?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z");
        assertThat(interval.getBody()).containsEntry("from", "2026-01-01T00:00:00Z").containsEntry("offered", 0);

        assertThat(get("/api/v1/queues/nope/stats").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        ResponseEntity<Map<String, Object>> garbage = get("/api/v1/queues/sales/stats?from=yesterday");
        assertThat(garbage.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat((String) garbage.getBody().get("detail")).contains("'from' must be an ISO-8601 instant");
        assertThat(get("/api/v1/queues/sales/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z").getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(get("/api/v1/agents/alice/stats?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z").getBody())
                .containsEntry("answered", 0);
    }

    @Test
    void theRuleStatusShowsTheLiveRulesAndWhyAnEditWasRejected() throws Exception {
        ResponseEntity<Map<String, Object>> live = get("/api/v1/rules");
        assertThat(live.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(live.getBody().get("rules").toString()).contains("Test rule from disk");
        assertThat((List<?>) live.getBody().get("rejectedProblems")).isEmpty();

        Files.writeString(CONTENT.root().resolve("rules/broken.drl"), TestContent.BROKEN_RULE);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !((List<?>) get("/api/v1/rules").getBody().get("rejectedProblems")).isEmpty());
            Map<String, Object> rejected = get("/api/v1/rules").getBody();
            assertThat(rejected.get("version")).isEqualTo(live.getBody().get("version"));
            assertThat(rejected.get("rejectedProblems").toString()).contains("broken.drl");
        } finally {
            Files.delete(CONTENT.root().resolve("rules/broken.drl"));
        }
    }

    @Test
    void callRecordsAreSearchedByTimeCallerQueueAgentAndOutcomeAPageAtATime() {
        Instant base = Instant.parse("2026-03-01T10:00:00Z");
        record(RECORD_PREFIX + "1", "+4930111222", "sales", "alice", "COMPLETED", base);
        record(RECORD_PREFIX + "2", "+4930999888", "sales", null, "ABANDONED", base.plusSeconds(60));
        record(RECORD_PREFIX + "3", "+4989111222", "support", "bob", "COMPLETED", base.plusSeconds(120));
        record(RECORD_PREFIX + "4", "+4930111222", "sales", "alice", "COMPLETED", base.plusSeconds(3600));
        String day = "&from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z";

        assertThat(ids("/api/v1/calls?size=500" + day)).containsExactly(RECORD_PREFIX + "4", RECORD_PREFIX + "3",
                RECORD_PREFIX + "2", RECORD_PREFIX + "1");
        assertThat(ids("/api/v1/calls?caller=111222" + day)).containsExactly(RECORD_PREFIX + "4",
                RECORD_PREFIX + "3", RECORD_PREFIX + "1");
        assertThat(ids("/api/v1/calls?queue=sales&agent=alice" + day)).containsExactly(RECORD_PREFIX + "4",
                RECORD_PREFIX + "1");
        assertThat(ids("/api/v1/calls?outcome=ABANDONED" + day)).containsExactly(RECORD_PREFIX + "2");
        assertThat(ids("/api/v1/calls?from=2026-03-01T10:01:00Z&to=2026-03-01T10:03:00Z"))
                .containsExactly(RECORD_PREFIX + "3", RECORD_PREFIX + "2");
        assertThat(ids("/api/v1/calls?caller=%25" + day)).as("'%' is a character, not a wildcard").isEmpty();

        Map<String, Object> second = get("/api/v1/calls?size=3&page=1" + day).getBody();
        assertThat(second).containsEntry("page", 1).containsEntry("size", 3).containsEntry("total", 4);
        assertThat(ids("/api/v1/calls?size=3&page=1" + day)).containsExactly(RECORD_PREFIX + "1");

        Map<String, Object> one = get("/api/v1/calls/" + RECORD_PREFIX + "1").getBody();
        assertThat(one).containsEntry("caller", "+4930111222").containsEntry("queue", "sales")
                .containsEntry("agent", "alice").containsEntry("outcome", "COMPLETED")
                .containsEntry("startedAt", "2026-03-01T10:00:00Z").containsEntry("endedAt", "2026-03-01T10:05:00Z");
        assertThat(get("/api/v1/calls/nothing-like-it").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void aCallRecordSearchWithNonsenseIsA400SayingWhatToFix() {
        assertThat(get("/api/v1/calls?size=0").getBody().get("detail"))
                .isEqualTo("'size' must be between 1 and 500, not 0");
        assertThat(get("/api/v1/calls?page=-1").getBody().get("detail")).isEqualTo("'page' must be 0 or more, not -1");
        assertThat((String) get("/api/v1/calls?from=yesterday").getBody().get("detail"))
                .startsWith("'from' must be an ISO-8601 instant");
        assertThat(get("/api/v1/calls?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z").getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(get("/api/v1/calls?size=lots").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    }

    @Test
    void anAgentSeesOnlyTheCallsItAnswered() {
        Instant base = Instant.parse("2026-04-01T10:00:00Z");
        record(RECORD_PREFIX + "alice", "+4930555", "sales", "alice", "COMPLETED", base);
        record(RECORD_PREFIX + "bob", "+4930666", "sales", "bob", "COMPLETED", base);
        createUser("alice", "alice-password", Roles.AGENT_GROUP);
        try {
            TestRestTemplate asAlice = http.withBasicAuth("alice", "alice-password");
            String day = "?from=2026-04-01T00:00:00Z&to=2026-04-02T00:00:00Z";
            Map<String, Object> own = asAlice.exchange("/api/v1/calls" + day, HttpMethod.GET, null, JSON).getBody();
            assertThat((List<Map<String, Object>>) own.get("records")).extracting(call -> call.get("callId"))
                    .containsExactly(RECORD_PREFIX + "alice");
            assertThat(asAlice.exchange("/api/v1/calls" + day + "&agent=bob", HttpMethod.GET, null, JSON)
                    .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
            assertThat(asAlice.exchange("/api/v1/calls/" + RECORD_PREFIX + "alice", HttpMethod.GET, null, JSON)
                    .getStatusCode()).isEqualTo(HttpStatus.OK);
            assertThat(asAlice.exchange("/api/v1/calls/" + RECORD_PREFIX + "bob", HttpMethod.GET, null, JSON)
                    .getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        } finally {
            identityService.deleteUser("alice");
        }
    }

    @Test
    void aCallGetsAConfiguredDispositionCodeAndNoteAtWrapUpShownOnItsRecord() {
        Instant start = Instant.parse("2026-05-01T10:00:00Z");
        record(RECORD_PREFIX + "wrap-alice", "+4930777", "sales", "alice", "COMPLETED", start);
        record(RECORD_PREFIX + "wrap-bob", "+4930888", "sales", "bob", "COMPLETED", start);
        assertThat(admin().exchange("/api/v1/dispositions", HttpMethod.GET, null, String.class).getBody())
                .isEqualTo("[\"Resolved\",\"Callback requested\",\"Escalated\",\"Wrong number\",\"Sale\","
                        + "\"No sale\"]");
        String path = "/api/v1/calls/" + RECORD_PREFIX + "wrap-alice/disposition";

        // Bad input: a clear 400 naming what to send, the record unchanged.
        for (String body : List.of("{\"code\": \"Bored\"}", "{}", "[1]", "{\"code\": 7}",
                "{\"code\": \"Sale\", \"note\": 3}", "{\"code\": \"Sale\", \"note\": \"" + "x".repeat(1001) + "\"}",
                "{\"code\": \"Sale\", \"note\": \"a\\u0000b\"}", "not json")) {
            ResponseEntity<Map<String, Object>> refused = put(admin(), path, body);
            assertThat(refused.getStatusCode()).as(body).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat((String) refused.getBody().get("detail")).as(body).isNotBlank();
        }
        assertThat(put(admin(), path, "{\"code\": \"Bored\"}").getBody().get("detail"))
                .isEqualTo("'code' must be one of [Resolved, Callback requested, Escalated, Wrong number, Sale,"
                        + " No sale]");
        assertThat(get("/api/v1/calls/" + RECORD_PREFIX + "wrap-alice").getBody()).containsEntry("disposition", null);
        assertThat(put(admin(), "/api/v1/calls/no-such-call/disposition", "{\"code\": \"Sale\"}").getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);

        createUser("alice", "alice-password", Roles.AGENT_GROUP);
        try {
            TestRestTemplate asAlice = http.withBasicAuth("alice", "alice-password");
            ResponseEntity<Map<String, Object>> saved = put(asAlice, path,
                    "{\"code\": \"Callback requested\", \"note\": \" call back after 5 \"}");
            assertThat(saved.getStatusCode()).isEqualTo(HttpStatus.OK);
            assertThat(saved.getBody()).containsEntry("disposition", "Callback requested")
                    .containsEntry("dispositionNote", "call back after 5");
            assertThat(put(asAlice, "/api/v1/calls/" + RECORD_PREFIX + "wrap-bob/disposition",
                    "{\"code\": \"Sale\"}").getStatusCode()).as("another agent's call").isEqualTo(HttpStatus.FORBIDDEN);
        } finally {
            identityService.deleteUser("alice");
        }
        assertThat(put(admin(), path, "{\"code\": \"Resolved\"}").getBody()).containsEntry("disposition", "Resolved")
                .containsEntry("dispositionNote", null);
        assertThat(ids("/api/v1/calls?caller=30777&from=2026-05-01T00:00:00Z")).containsExactly(RECORD_PREFIX
                + "wrap-alice");
        assertThat(jdbc.queryForObject("select disposition from call_record where call_id = ?", String.class,
                RECORD_PREFIX + "wrap-bob")).isNull();
    }

    @Test
    void businessCalendarsAreDataThatDecideWhetherANumberAndAQueueAreOpen() {
        ResponseEntity<Map<String, Object>> created = put("/api/v1/admin/calendars/berlin-office",
                "{\"zone\": \"Europe/Berlin\", \"hours\": \"MON-FRI 08:00-18:00\", \"holidays\": [\"2026-12-24\","
                        + " {\"date\": \"12-25\", \"name\": \"Christmas Day\"}]}");
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(created.getBody()).containsEntry("zone", "Europe/Berlin").containsEntry("managedBy", "api");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> holidays = (List<Map<String, Object>>) created.getBody().get("holidays");
        assertThat(holidays).extracting(h -> h.get("date"), h -> h.get("name"))
                .containsExactly(tuple("12-25", "Christmas Day"), tuple("2026-12-24", null));
        Map<String, String> refusals = Map.of(
                "{\"zone\": \"Mars/Olympus\"}", "time zone 'Mars/Olympus'",
                "{\"holidays\": [\"13-45\"]}", "holiday '13-45'",
                "{\"holidays\": [\"12-25\", {\"date\": \"12-25\"}]}", "listed twice",
                "{\"hours\": \"MON-FRY 08:00-18:00\"}", "MON-FRY",
                "{\"holidays\": [{\"day\": \"12-25\"}]}", "'date' and 'name'");
        refusals.forEach((body, detail) -> {
            ResponseEntity<Map<String, Object>> refused = put("/api/v1/admin/calendars/bad", body);
            assertThat(refused.getStatusCode()).as(body).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat((String) refused.getBody().get("detail")).as(body).contains(detail);
        });
        assertThat(get("/api/v1/admin/calendars/bad").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat((String) put("/api/v1/admin/dids/300", "{\"flow\": \"inbound-call\", \"calendar\": \"nope\"}")
                .getBody().get("detail")).contains("calendar 'nope' is not a provisioned calendar");
        assertThat(put("/api/v1/admin/dids/300", "{\"flow\": \"inbound-call\", \"calendar\": \"berlin-office\"}")
                .getBody()).containsEntry("calendar", "berlin-office");
        assertThat((String) put("/api/v1/admin/queues/office", "{\"calendar\": \"berlin-office\","
                + " \"businessHours\": \"MON-FRI 09:00-17:00\"}").getBody().get("detail")).contains("one or the other");
        assertThat(put("/api/v1/admin/queues/office", "{\"calendar\": \"berlin-office\", \"joinWhenEmpty\": true}")
                .getStatusCode()).isEqualTo(HttpStatus.CREATED);

        // What the number's calls and the queue see: the calendar's answer in its own zone.
        assertThat(calendars.forNumber("300", Instant.parse("2027-12-25T10:00:00Z")).orElseThrow())
                .extracting(CalendarStatus::open, CalendarStatus::reason).containsExactly(false, "holiday: Christmas Day");
        assertThat(calendars.forNumber("300", Instant.parse("2026-12-24T10:00:00Z")).orElseThrow().reason())
                .isEqualTo("public holiday");
        assertThat(calendars.forNumber("300", Instant.parse("2026-12-23T16:30:00Z")).orElseThrow().open())
                .as("17:30 in Berlin").isTrue();
        assertThat(calendars.forNumber("300", Instant.parse("2026-12-23T17:30:00Z")).orElseThrow().reason())
                .as("18:30 in Berlin").isEqualTo("outside business hours");
        assertThat(calendars.forNumber("100", Instant.now())).as("the file's number 100 names 'main'").isPresent();
        put("/api/v1/admin/calendars/berlin-office", "{\"zone\": \"Europe/Berlin\", \"hours\": \"SUN-SUN 00:00-00:01\"}");
        var closedQueue = distributor.enqueue(new EnqueueRequest(new CallId("calendar-closed"), "office", 0, Map.of(),
                "+4930111"));
        assertThat(closedQueue).isEqualTo(new EnqueueResult.Rejected("office", "closed"));

        ResponseEntity<Map<String, Object>> inUse = delete("/api/v1/admin/calendars/berlin-office");
        assertThat(inUse.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat((String) inUse.getBody().get("detail")).contains("number 300", "queue office");
        assertThat(delete("/api/v1/admin/dids/300").getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(delete("/api/v1/admin/queues/office").getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(delete("/api/v1/admin/calendars/berlin-office").getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(jdbc.queryForObject("select count(*) from calendar_holiday where calendar = 'berlin-office'",
                Integer.class)).isZero();
        assertThat(get("/api/v1/admin/calendars/main").getBody()).containsEntry("managedBy", "file");
    }

    @Test
    void anAdministratorManagesSkillsAgentsQueuesAndNumbersAndTheFileWins() {
        assertThat(put("/api/v1/admin/skills/french", "{\"description\": \"French speakers\"}").getStatusCode())
                .isEqualTo(HttpStatus.CREATED);
        ResponseEntity<Map<String, Object>> carol = put("/api/v1/admin/agents/carol",
                "{\"name\": \"Carol\", \"sipUser\": \"1003\", \"password\": \"carol-1003\","
                        + " \"skills\": {\"french\": 7}}");
        assertThat(carol.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(carol.getBody()).containsEntry("sipUser", "1003").containsEntry("managedBy", "api")
                .containsEntry("skills", Map.of("french", 7)).doesNotContainKeys("password", "ha1Md5", "ha1Sha256");
        String ha1 = jdbc.queryForObject("select ha1_md5 from agent where id = 'carol'", String.class);
        assertThat(put("/api/v1/admin/agents/carol", "{\"name\": \"Carol B\", \"sipUser\": \"1003\","
                + " \"skills\": {\"french\": 8}}")
                .getBody()).containsEntry("name", "Carol B");
        assertThat(jdbc.queryForObject("select ha1_md5 from agent where id = 'carol'", String.class))
                .as("replaced without a password: credentials kept").isEqualTo(ha1);
        assertThat(put("/api/v1/admin/queues/french", "{\"strategy\": \"round-robin\", \"members\": [\"carol\"]}")
                .getBody()).containsEntry("strategy", "round-robin")
                .containsEntry("members", List.of(Map.of("agent", "carol", "penalty", 0)));
        assertThat((Map<String, Object>) get("/api/v1/admin/queues/french").getBody().get("recording"))
                .as("left out: records always, kept").containsEntry("policy", "always").containsEntry("consent", false)
                .containsEntry("retentionDays", null);
        assertThat(put("/api/v1/admin/queues/french", "{\"recording\": {\"policy\": \"on-demand\", \"consent\": true,"
                + " \"retentionDays\": 30}}").getBody()).containsEntry("recording",
                        Map.of("policy", "on-demand", "consent", true, "retentionDays", 30));
        assertThat(put("/api/v1/admin/dids/200", "{\"flow\": \"inbound-call\"}").getStatusCode())
                .isEqualTo(HttpStatus.CREATED);
        assertThat(put("/api/v1/admin/dids/200", "{\"flow\": \"inbound-call\", \"languages\": [\"de\", \"en\"]}")
                .getBody()).containsEntry("languages", List.of("de", "en"));
        for (String languages : new String[] {"[\"de\", \"de\"]", "[\"../x\"]", "[\"a\",\"b\",\"c\",\"d\",\"e\","
                + "\"f\",\"g\",\"h\",\"i\",\"j\"]"}) {
            ResponseEntity<Map<String, Object>> refused = put("/api/v1/admin/dids/200",
                    "{\"flow\": \"inbound-call\", \"languages\": " + languages + "}");
            assertThat(refused.getStatusCode()).as(languages).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat((String) refused.getBody().get("detail")).as(languages).contains("'languages'");
        }
        assertThat(get("/api/v1/agents/carol").getBody()).containsEntry("state", "OFFLINE");

        ResponseEntity<Map<String, Object>> fileOwned = put("/api/v1/admin/agents/alice",
                "{\"sipUser\": \"1001\", \"password\": \"taken-over\"}");
        assertThat(fileOwned.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat((String) fileOwned.getBody().get("detail")).contains("declared in the provisioning file");
        assertThat(delete("/api/v1/admin/queues/sales").getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(get("/api/v1/admin/agents/alice").getBody()).containsEntry("managedBy", "file");

        assertThat(delete("/api/v1/admin/skills/french").getStatusCode()).as("carol has it")
                .isEqualTo(HttpStatus.CONFLICT);
        assertThat(delete("/api/v1/admin/queues/french").getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(delete("/api/v1/admin/agents/carol").getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(delete("/api/v1/admin/skills/french").getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(delete("/api/v1/admin/dids/200").getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(get("/api/v1/admin/agents/carol").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(delete("/api/v1/admin/agents/carol").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void administrationWithNonsenseIsRefusedSayingWhatToFixAndChangesNothing() {
        assertThat(detail(put("/api/v1/admin/agents/dave", "{\"sipUser\": \"1004\", \"password\": \"pw-1004\","
                + " \"skills\": {\"english\": 11}}"))).contains("must have a level from 1 to 10, not 11");
        assertThat(detail(put("/api/v1/admin/agents/dave", "{\"sipUser\": \"1004\", \"password\": \"pw-1004\","
                + " \"maxCalls\": 2}"))).contains("maxCalls 2 is not supported; an agent takes one call at a time");
        assertThat(detail(put("/api/v1/admin/agents/dave", "{\"sipUser\": \"1004\"}")))
                .contains("needs a password or ha1Md5/ha1Sha256");
        assertThat(detail(put("/api/v1/admin/agents/dave", "{\"sipUser\": \"1004\", \"pasword\": \"x\"}")))
                .contains("pasword");
        assertThat(detail(put("/api/v1/admin/agents/dave", "{\"id\": \"eve\", \"sipUser\": \"1004\"}")))
                .contains("differs from the one in the path");
        assertThat(detail(put("/api/v1/admin/agents/dave", "[1, 2]"))).contains("must be a JSON object");
        assertThat(detail(put("/api/v1/admin/queues/q1", "{\"strategy\": \"loudest\"}"))).contains("loudest");
        assertThat(detail(put("/api/v1/admin/queues/q1", "{\"holidays\": [\"2026-12-32\"]}")))
                .contains("holiday '2026-12-32' is not an ISO date");
        assertThat(detail(put("/api/v1/admin/queues/q1", "{\"businessHours\": \"MON-FRY 08:00-20:00\"}")))
                .contains("MON-FRY");
        assertThat(detail(put("/api/v1/admin/queues/q1", "{\"members\": [\"nobody\"]}")))
                .contains("'nobody' is not a provisioned agent");
        assertThat(detail(put("/api/v1/admin/queues/q1", "{\"recording\": {\"policy\": \"sometimes\"}}")))
                .contains("recording policy 'sometimes' is not one of always, never, on-demand");
        assertThat(detail(put("/api/v1/admin/queues/q1", "{\"recording\": {\"retentionDays\": 0}}")))
                .contains("retentionDays must be from 1 to 36500");
        assertThat(detail(put("/api/v1/admin/queues/q1", "{\"recording\": {\"keep\": 3}}"))).contains("keep");
        ResponseEntity<Map<String, Object>> clash = put("/api/v1/admin/agents/dave",
                "{\"sipUser\": \"1001\", \"password\": \"pw-1004\"}");
        assertThat(clash.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(put("/api/v1/admin/robots/r2", "{}").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(get("/api/v1/admin/agents/dave").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(get("/api/v1/admin/queues/q1").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    private String detail(ResponseEntity<Map<String, Object>> answer) {
        assertThat(answer.getStatusCode()).as(String.valueOf(answer.getBody())).isEqualTo(HttpStatus.BAD_REQUEST);
        return (String) answer.getBody().get("detail");
    }

    private ResponseEntity<Map<String, Object>> put(String path, String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return admin().exchange(path, HttpMethod.PUT, new HttpEntity<>(body, headers), JSON);
    }

    private ResponseEntity<Map<String, Object>> delete(String path) {
        return admin().exchange(path, HttpMethod.DELETE, null, JSON);
    }

    @Test
    void aFinishedCallsPathThroughItsFlowAndTheDiagramToDrawItOn() {
        repositoryService.createDeployment().addString("path-test.bpmn", TestContent.PATH_FLOW).deploy();
        // Callflow's record plugin writes the call record of every flow started with a call id.
        runtimeService.startProcessInstanceByKey("path-test", RECORD_PREFIX + "path");

        Map<String, Object> path = get("/api/v1/calls/" + RECORD_PREFIX + "path/path").getBody();
        assertThat(path).containsEntry("flow", "path-test").containsKey("endedAt");
        assertThat((List<Map<String, Object>>) path.get("steps")).extracting(step -> step.get("activityId"))
                .containsExactly("callArrived", "greet", "callEnded");
        ResponseEntity<String> diagram = admin().getForEntity("/api/v1/calls/" + RECORD_PREFIX + "path/diagram",
                String.class);
        assertThat(diagram.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_XML)).isTrue();
        assertThat(diagram.getBody()).contains("<manualTask id=\"greet\"");

        record(RECORD_PREFIX + "noflow", "+4930778", null, null, "REFUSED", Instant.parse("2026-05-01T10:00:00Z"));
        ResponseEntity<Map<String, Object>> noFlow = get("/api/v1/calls/" + RECORD_PREFIX + "noflow/path");
        assertThat(noFlow.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat((String) noFlow.getBody().get("detail")).contains("has no flow history");
        assertThat(get("/api/v1/calls/no-such-call/path").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    private static final String RECORD_PREFIX = "api-test-";

    private void record(String callId, String caller, String queue, String agent, String outcome, Instant start) {
        jdbc.update("insert into call_record (call_id, caller, did, started_at, ended_at, outcome, queue_name, agent)"
                + " values (?, ?, '100', ?, ?, ?, ?, ?)", callId, caller, Timestamp.from(start),
                Timestamp.from(start.plusSeconds(300)), outcome, queue, agent);
    }

    @SuppressWarnings("unchecked")
    private List<String> ids(String path) {
        ResponseEntity<Map<String, Object>> page = get(path);
        assertThat(page.getStatusCode()).as(String.valueOf(page.getBody())).isEqualTo(HttpStatus.OK);
        return ((List<Map<String, Object>>) page.getBody().get("records")).stream()
                .map(call -> (String) call.get("callId")).toList();
    }

    private void createUser(String id, String password, String group) {
        User user = identityService.newUser(id);
        user.setPassword(password);
        identityService.saveUser(user);
        if (identityService.createGroupQuery().groupId(group).count() == 0) {
            identityService.saveGroup(identityService.newGroup(group));
        }
        identityService.createMembership(id, group);
    }

    @Test
    void theAgentDialPlanIsReplacedThroughTheApiAndBadOnesAreRefusedWithWhatIsWrong() {
        ResponseEntity<Map<String, Object>> replaced = put("/api/v1/dialplan", """
                {"extensions": [{"number": "201", "agent": "alice", "did": "+4930555201"}],
                 "queues": [{"number": "600", "queue": "sales"}],
                 "outside": [{"pattern": "0[1-9][0-9]+", "strip": 1, "prepend": "+49", "callerId": "agent-did"}],
                 "features": [{"code": "*21", "feature": "pause", "reason": "lunch"}]}""");
        assertThat(replaced.getStatusCode()).as(String.valueOf(replaced.getBody())).isEqualTo(HttpStatus.OK);
        assertThat(replaced.getBody()).containsEntry("managedBy", "api");
        Map<String, Object> read = get("/api/v1/dialplan").getBody();
        assertThat(read.get("dialPlan").toString()).contains("+4930555201", "*21", "0[1-9][0-9]+");
        // GET's answer goes back as it is.
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        assertThat(admin().exchange("/api/v1/dialplan", HttpMethod.PUT, new HttpEntity<>(read, headers), JSON)
                .getStatusCode()).isEqualTo(HttpStatus.OK);

        Map<String, String> bad = Map.of(
                "{\"features\": [{\"code\": \"*9\", \"feature\": \"teleport\"}]}", "feature 'teleport' is not one of",
                "{\"extensions\": [{\"number\": \"201\", \"agent\": \"nobody\"}]}", "not a provisioned agent",
                "{\"queues\": [{\"number\": \"6x\", \"queue\": \"sales\"}]}", "must be 1 to 32 digits",
                "{\"outside\": [{\"pattern\": \"0[\"}]}", "not a regular expression",
                "{\"extension\": []}", "Unrecognized field",
                "[1]", "must be an object");
        bad.forEach((body, why) -> {
            ResponseEntity<Map<String, Object>> refused = put("/api/v1/dialplan", body);
            assertThat(refused.getStatusCode()).as(body).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat((String) refused.getBody().get("detail")).as(body).contains(why);
        });
        assertThat(get("/api/v1/dialplan").getBody().get("dialPlan").toString()).contains("+4930555201");
        assertThat(admin().getForEntity("/api/v1/trunks", String.class).getBody()).isEqualTo("[]");
    }

    @Test
    void monitoringRefusesBadRequestsWithProblemDetails() {
        String path = "/api/v1/calls/no-such-call/monitor";
        ResponseEntity<Map<String, Object>> noBody = post(path, "");
        assertThat(noBody.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat((String) noBody.getBody().get("detail")).contains("\"mode\"");
        ResponseEntity<Map<String, Object>> badMode = post(path, "{\"mode\":\"spy\",\"phone\":\"alice\"}");
        assertThat(badMode.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(badMode.getBody().get("detail")).isEqualTo("'mode' must be listen, whisper or barge");
        ResponseEntity<Map<String, Object>> noPhone = post(path, "{\"mode\":\"listen\"}");
        assertThat(noPhone.getStatusCode()).as("admin has no agent record to ring").isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat((String) noPhone.getBody().get("detail")).contains("'phone' is required");
        ResponseEntity<Map<String, Object>> unknownPhone = post(path, "{\"mode\":\"listen\",\"phone\":\"nobody\"}");
        assertThat(unknownPhone.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        ResponseEntity<Map<String, Object>> extra = post(path, "{\"mode\":\"listen\",\"volume\":3}");
        assertThat(extra.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        ResponseEntity<Map<String, Object>> unknownCall = post(path, "{\"mode\":\"barge\",\"phone\":\"alice\"}");
        assertThat(unknownCall.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        assertThat(admin().exchange(path, HttpMethod.PUT, new HttpEntity<>("{\"mode\":\"loud\"}", headers), JSON)
                .getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(admin().exchange(path, HttpMethod.DELETE, null, JSON).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        createUser("alice", "alice-password", Roles.AGENT_GROUP);
        try {
            assertThat(http.withBasicAuth("alice", "alice-password").exchange(path, HttpMethod.DELETE, null, JSON)
                    .getStatusCode()).as("an agent may not monitor").isEqualTo(HttpStatus.FORBIDDEN);
        } finally {
            identityService.deleteUser("alice");
        }
    }

    private TestRestTemplate admin() {
        return http.withBasicAuth("admin", "callflow");
    }

    private ResponseEntity<Map<String, Object>> get(String path) {
        return admin().exchange(path, HttpMethod.GET, null, JSON);
    }

    private ResponseEntity<Map<String, Object>> put(TestRestTemplate as, String path, String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return as.exchange(path, HttpMethod.PUT, new HttpEntity<>(body, headers), JSON);
    }

    private ResponseEntity<Map<String, Object>> post(String path, String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return admin().exchange(path, HttpMethod.POST, new HttpEntity<>(body, headers), JSON);
    }
}
