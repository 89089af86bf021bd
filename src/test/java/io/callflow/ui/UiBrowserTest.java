package io.callflow.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.sql.Timestamp;

import io.callflow.acd.Agents;
import io.callflow.call.RegistrationChanged;
import io.callflow.support.Browser;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The pages of {@code ui/} in a real headless Chromium against a running Callflow: signing in as each role, the agent
 * desktop's pause and resume, the wallboard, the call history with a call's path on its diagram, and administration.
 * Each page's screenshot is written under {@code target/ui-screenshots/}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiBrowserTest {

    @RegisterExtension
    static final Browser BROWSER = new Browser();

    static final TestContent CONTENT = TestContent.create()
            .with("rules/test.drl", TestContent.RULE)
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, name: Alice Agent, sipUser: "1001", password: alice-1001, skills: { english: 8 } }
                      - { id: bob, name: Bob, sipUser: "1002", password: bob-1002, skills: { english: 8 } }
                    calendars:
                      - { name: main, hours: "MON-FRI 08:00-20:00", holidays: [ "12-25" ] }
                    queues:
                      - { name: sales, members: [ alice, bob ] }
                    """);

    static final String CALL = "ui-test-call";
    static final String BOBS_CALL = "ui-test-call-bob";
    static final String CALLER = "+4930123456";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> CONTENT.root().resolve("provisioning.yml").toString());
        // The pages under test are the ones in the working tree, served from disk as in production.
        registry.add("callflow.content.ui-dir", () -> Path.of("ui").toAbsolutePath().toString());
        registry.add("callflow.media.rtp-port-min", () -> "48000");
        registry.add("callflow.media.rtp-port-max", () -> "48999");
    }

    @LocalServerPort int port;
    @Autowired IdentityService identityService;
    @Autowired RepositoryService repositoryService;
    @Autowired RuntimeService runtimeService;
    @Autowired ApplicationEventPublisher events;
    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;

    @BeforeAll
    void usersPhonesAndACall() {
        createUser("alice", "alice-password", "callflow-agent");
        createUser("boss", "boss-password", "callflow-supervisor");
        events.publishEvent(new RegistrationChanged("1001", 1, Instant.now()));
        events.publishEvent(new RegistrationChanged("1002", 1, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> agents.find("alice").orElseThrow().state().name()
                .equals("AVAILABLE"));

        repositoryService.createDeployment().addString("path-test.bpmn", TestContent.PATH_FLOW).deploy();
        // Callflow's record plugin writes the call record of every flow started with a call id.
        runtimeService.startProcessInstanceByKey("path-test", CALL);
        assertThat(jdbc.update("update call_record set caller = ?, did = '100', queue_name = 'sales', agent = 'alice',"
                + " outcome = 'COMPLETED' where call_id = ?", CALLER, CALL)).isOne();
        jdbc.update("insert into call_record (call_id, caller, did, started_at, ended_at, outcome, queue_name, agent)"
                + " values (?, ?, '100', ?, ?, 'COMPLETED', 'sales', 'bob')", BOBS_CALL, CALLER,
                Timestamp.from(Instant.now()), Timestamp.from(Instant.now().plusSeconds(60)));
    }

    String base() {
        return "http://localhost:" + port;
    }

    @Test
    void eachRoleLandsOnItsPage() {
        LoginPage login = LoginPage.open(BROWSER, base());
        BROWSER.screenshot("login");
        login.signIn("alice", "alice-password");
        assertThat(login.landedOn("Agent desktop")).endsWith("#/agent");
        BROWSER.screenshot("agent-desktop");

        login = LoginPage.open(BROWSER, base());
        login.signIn("boss", "boss-password");
        assertThat(login.landedOn("Wallboard")).endsWith("#/wallboard");
        new WallboardPage(BROWSER);
        BROWSER.screenshot("wallboard");

        login = LoginPage.open(BROWSER, base());
        login.signIn("admin", "callflow");
        assertThat(login.landedOn("Administration: Agents")).endsWith("#/admin/agents");
        new AdminPage(BROWSER).awaitList();
        BROWSER.screenshot("admin-agents");
    }

    @Test
    void aWrongPasswordShowsAnErrorAndSignsNoOneIn() {
        LoginPage login = LoginPage.open(BROWSER, base());
        login.signIn("mallory", "not-the-password");

        assertThat(login.error()).isEqualTo("Wrong user name or password.");
        assertThat(BROWSER.driver().getCurrentUrl()).endsWith("#/login");
        assertThat(login.focused().getAttribute("id")).as("focus back on the password").isEqualTo("login-password");
    }

    @Test
    void theLoginFormWorksWithTheKeyboardAlone() {
        LoginPage login = LoginPage.open(BROWSER, base());
        assertThat(login.focused().getAttribute("id")).isEqualTo("login-user");

        login.signInWithKeyboard("boss", "boss-password");

        assertThat(login.landedOn("Wallboard")).endsWith("#/wallboard");
    }

    @Test
    void anAgentPausesWithAReasonTheWallboardShowsItAndTheAgentResumes() {
        LoginPage.open(BROWSER, base()).signInAndLand("alice", "alice-password");
        AgentDesktopPage desktop = new AgentDesktopPage(BROWSER);
        desktop.awaitState("AVAILABLE");
        assertThat(desktop.resumeEnabled()).isFalse();

        desktop.pause("Lunch");
        desktop.awaitState("PAUSED (Lunch)");
        assertThat(desktop.stateColourClass()).contains("state-PAUSED");
        assertThat(agents.find("alice").orElseThrow().stateReason()).isEqualTo("Lunch");

        LoginPage.open(BROWSER, base()).signInAndLand("boss", "boss-password");
        WallboardPage wallboard = new WallboardPage(BROWSER);
        wallboard.awaitLive();
        assertThat(wallboard.agentState("alice")).isEqualTo("PAUSED (Lunch)");
        assertThat(wallboard.figure("sales", "waitingNow")).isEqualTo("0");
        assertThat(wallboard.figure("sales", "agentsLoggedIn")).isNotBlank();
        assertThat(wallboard.level("sales")).isEqualTo("OK");
        // Changes arrive over the live events: no reload, no Refresh button.
        agents.resume("alice");
        wallboard.awaitAgentState("alice", "AVAILABLE");
        wallboard.forcePause("alice");
        wallboard.awaitAgentState("alice", "PAUSED (Paused by supervisor)");
        agents.resume("alice");
        wallboard.awaitAgentState("alice", "AVAILABLE");

        agents.pause("alice", "Training");
        LoginPage.open(BROWSER, base()).signInAndLand("alice", "alice-password");
        desktop = new AgentDesktopPage(BROWSER);
        desktop.awaitState("PAUSED (Training)");
        desktop.resume();
        desktop.awaitState("AVAILABLE");
    }

    @Test
    void theWallboardFitsAPhoneALaptopAndAWallDisplay() {
        LoginPage.open(BROWSER, base()).signInAndLand("boss", "boss-password");
        WallboardPage wallboard = new WallboardPage(BROWSER);
        try {
            BROWSER.driver().manage().window().setSize(new Dimension(1366, 768));
            assertThat(wallboard.overflowsSideways()).as("laptop").isFalse();
            double onALaptop = wallboard.figureFontSize("sales", "waitingNow");

            BROWSER.driver().manage().window().setSize(new Dimension(3840, 2160));
            assertThat(wallboard.overflowsSideways()).as("wall display").isFalse();
            assertThat(wallboard.figureFontSize("sales", "waitingNow")).as("readable across a room")
                    .isGreaterThan(onALaptop * 1.5);
            BROWSER.screenshot("wallboard-wall-display");

            BROWSER.driver().manage().window().setSize(new Dimension(390, 844));
            assertThat(wallboard.overflowsSideways()).as("phone").isFalse();
        } finally {
            BROWSER.driver().manage().window().setSize(new Dimension(1366, 900));
        }
    }

    @Test
    void theCallHistoryFindsACallAndDrawsItsPathOnTheDiagram() {
        LoginPage.open(BROWSER, base()).signInAndLand("admin", "callflow");
        CallHistoryPage history = CallHistoryPage.open(BROWSER, base());
        LocalDateTime now = LocalDateTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS);
        DateTimeFormatter local = DateTimeFormatter.ISO_LOCAL_DATE_TIME;

        history = history.search(now.minusHours(1).format(local), now.plusHours(1).format(local), "0123456",
                "COMPLETED");
        assertThat(history.callIds()).containsExactlyInAnyOrder(CALL, BOBS_CALL);
        assertThat(history.resultTitle()).isEqualTo("2 calls found");
        assertThat(history.search(now.plusHours(1).format(local), now.plusHours(2).format(local), "0123456", "")
                .callIds()).as("a time range without the call").isEmpty();
        BROWSER.driver().navigate().back();
        CallHistoryPage previous = history;
        BROWSER.await(driver -> previous.callIds().contains(CALL));

        CallPage call = history.openCall(CALL);
        assertThat(call.recordText()).contains(CALLER, "COMPLETED", "alice", "sales");
        assertThat(call.highlightedElements()).containsExactlyInAnyOrder("callArrived", "greet", "callEnded");
        assertThat(call.lastElement()).isEqualTo("callEnded");
        assertThat(call.stepTimes()).hasSize(3).allMatch(time -> time.matches(".*\\d{1,2}:\\d{2}:\\d{2}.*"));
        assertThat(call.strokeOf("greet")).as("the highlight's colour is applied").isEqualTo("rgb(23, 128, 61)");
        assertThat(call.stepNames()).containsExactly("Call arrived", "Greet", "Call ended");
        call.scrollToDiagram();
        BROWSER.screenshot("call-path");
    }

    @Test
    void anAgentSeesOnlyItsOwnCalls() {
        LoginPage.open(BROWSER, base()).signInAndLand("alice", "alice-password");
        CallHistoryPage history = CallHistoryPage.open(BROWSER, base());

        assertThat(history.hasAgentFilter()).isFalse();
        assertThat(history.callIds()).contains(CALL).doesNotContain(BOBS_CALL);
        BROWSER.screenshot("call-history-agent");
    }

    @Test
    void anAdministratorCreatesAQueueSeesARefusalAtItsFieldEditsAndDeletesIt() {
        LoginPage.open(BROWSER, base()).signInAndLand("admin", "callflow");
        AdminPage admin = AdminPage.open(BROWSER, base(), "queues");
        admin.create();
        admin.fill("name", "ui-queue");
        admin.fill("members", "nobody");
        admin.save();
        assertThat(admin.errorAt("members")).contains("'nobody' is not a provisioned agent");
        assertThat(admin.isInvalid("members")).isTrue();
        BROWSER.screenshot("admin-queue-refused");

        admin.fill("ringTimeoutSeconds", "-5");
        admin.save();
        assertThat(admin.errorAt("ringTimeoutSeconds")).isNotBlank();
        admin.fill("ringTimeoutSeconds", "20");
        admin.fill("members", "alice, bob:2");
        admin.save();
        admin.awaitList();
        assertThat(admin.flash()).isEqualTo("Saved queue 'ui-queue'.");
        assertThat(admin.row("ui-queue")).contains("longest-idle").contains("alice, bob:2").contains("api");

        admin.open("ui-queue");
        admin.choose("strategy", "round-robin");
        admin.save();
        admin.awaitList();
        assertThat(admin.row("ui-queue")).contains("round-robin");
        assertThat(jdbc.queryForObject("select ring_timeout_seconds from call_queue where name = 'ui-queue'",
                Integer.class)).isEqualTo(20);

        admin.delete("ui-queue");
        assertThat(admin.keys()).doesNotContain("ui-queue").contains("sales");
        assertThat(jdbc.queryForObject("select count(*) from call_queue where name = 'ui-queue'", Integer.class))
                .isZero();
    }

    @Test
    void anAdministratorKeepsABusinessCalendarWithNamedHolidays() {
        LoginPage.open(BROWSER, base()).signInAndLand("admin", "callflow");
        AdminPage admin = AdminPage.open(BROWSER, base(), "calendars");
        admin.create();
        admin.fill("name", "ui-office");
        admin.fill("zone", "Europe/Berlin");
        admin.fill("hours", "MON-FRI 09:00-17:00");
        admin.fill("holidays", "12-25=Christmas Day, 2026-13-01");
        admin.save();
        assertThat(admin.errorAt("holidays")).contains("holiday '2026-13-01'");

        admin.fill("holidays", "12-25=Christmas Day, 2026-12-24");
        admin.save();
        admin.awaitList();
        assertThat(admin.flash()).isEqualTo("Saved calendar 'ui-office'.");
        assertThat(admin.row("ui-office")).contains("Europe/Berlin").contains("MON-FRI 09:00-17:00");
        assertThat(jdbc.queryForList("select holiday_date || '=' || coalesce(holiday_name, '') from calendar_holiday"
                + " where calendar = 'ui-office' order by holiday_date", String.class))
                .containsExactly("12-25=Christmas Day", "2026-12-24=");
        BROWSER.screenshot("admin-calendar");

        admin.delete("ui-office");
        assertThat(admin.keys()).doesNotContain("ui-office").contains("main");
    }

    @Test
    void anEntryTheProvisioningFileDeclaresIsReadOnly() {
        LoginPage.open(BROWSER, base()).signInAndLand("admin", "callflow");
        AdminPage admin = AdminPage.open(BROWSER, base(), "agents");
        assertThat(admin.row("alice")).contains("file (read-only)");
        assertThat(admin.hasDeleteButton("alice")).isFalse();

        admin.open("alice");

        assertThat(admin.formIsEditable()).isFalse();
        assertThat(admin.fileOwnedNotice()).contains("Declared in the provisioning file");
        BROWSER.screenshot("admin-file-owned");
    }

    private void createUser(String id, String password, String group) {
        if (identityService.createGroupQuery().groupId(group).count() == 0) {
            identityService.saveGroup(identityService.newGroup(group));
        }
        User user = identityService.newUser(id);
        user.setPassword(password);
        identityService.saveUser(user);
        identityService.createMembership(id, group);
    }
}
