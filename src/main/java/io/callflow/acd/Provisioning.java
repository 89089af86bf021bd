package io.callflow.acd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.callflow.acd.ProvisioningSpecs.CallbackSpec;
import io.callflow.acd.ProvisioningSpecs.AgentSpec;
import io.callflow.acd.ProvisioningSpecs.CalendarSpec;
import io.callflow.acd.ProvisioningSpecs.DidSpec;
import io.callflow.acd.ProvisioningSpecs.HolidaySpec;
import io.callflow.acd.ProvisioningSpecs.MemberSpec;
import io.callflow.acd.ProvisioningSpecs.QueueSpec;
import io.callflow.acd.ProvisioningSpecs.SkillSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Loads the provisioning file as an idempotent upsert: each entry (skill, agent, queue, number) in its own
 * transaction, so one bad entry is reported with its file and line and skipped while the rest loads. The copy on
 * disk wins; without one, the demo file packaged in the jar loads.
 */
@Component
class Provisioning {

    private static final Logger log = LoggerFactory.getLogger(Provisioning.class);

    static final Set<String> STRATEGIES = Set.of("longest-idle", "round-robin", "fewest-calls", "least-talk-time",
            "random", "skills-weighted", "sticky");

    /** The list sections, in the order they are applied: what an entry names is applied before it. */
    static final List<String> SECTIONS = List.of("skills", "agents", "calendars", "queues", "dids");

    /** The section holding the agents' dial plan, an object rather than a list. */
    static final String DIAL_PLAN = "dialPlan";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final AcdProperties properties;
    private final Clock clock;
    private final String realm;
    private final ObjectMapper yaml = new YAMLMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final AgentDialPlans dialPlans;
    private final BusinessCalendars calendars;

    Provisioning(JdbcTemplate jdbc, TransactionTemplate tx, AcdProperties properties, Clock clock,
            @Value("${callflow.sip.domain:callflow.local}") String realm, AgentDialPlans dialPlans,
            BusinessCalendars calendars) {
        this.dialPlans = dialPlans;
        this.calendars = calendars;
        this.jdbc = jdbc;
        this.tx = tx;
        this.properties = properties;
        this.clock = clock;
        this.realm = realm;
    }

    ProvisioningReport load() {
        var file = properties.provisioningFile();
        boolean onDisk = Files.isRegularFile(file);
        String name = onDisk ? file.toString() : "classpath:provisioning/callflow.yml";
        List<ProvisioningProblem> problems = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        try (InputStream in = onDisk ? Files.newInputStream(file)
                : new ClassPathResource("provisioning/callflow.yml").getInputStream()) {
            read(in, name, entries, problems);
        } catch (IOException e) {
            problems.add(new ProvisioningProblem(name, 0, "cannot be read: " + e.getMessage()));
        }
        int applied = 0;
        boolean readWhole = problems.isEmpty();
        for (String section : SECTIONS) {
            for (Entry entry : entries) {
                if (!entry.section().equals(section)) {
                    continue;
                }
                try {
                    tx.executeWithoutResult(status -> apply(entry.section(), entry.node(), Administration.FILE));
                    applied++;
                } catch (RuntimeException e) {
                    problems.add(new ProvisioningProblem(name, entry.line(), section + " entry skipped: "
                            + message(e)));
                }
            }
        }
        applied += dialPlan(name, entries, problems);
        if (readWhole) {
            handOver(entries);
            if (entries.stream().noneMatch(entry -> entry.section().equals(DIAL_PLAN))) {
                dialPlans.handOverToApi();
            }
        }
        return new ProvisioningReport(name, applied, problems, clock.instant());
    }

    /** The agents' dial plan ({@code dialPlan:}, one object), applied after the agents and queues it names. */
    private int dialPlan(String name, List<Entry> entries, List<ProvisioningProblem> problems) {
        int applied = 0;
        for (Entry entry : entries) {
            if (entry.section().equals(DIAL_PLAN)) {
                try {
                    tx.executeWithoutResult(status -> dialPlans.apply(entry.node(), Administration.FILE));
                    applied++;
                } catch (RuntimeException e) {
                    problems.add(new ProvisioningProblem(name, entry.line(), "dialPlan skipped: " + message(e)));
                }
            }
        }
        return applied;
    }

    /**
     * The file never deletes: an entry it no longer declares stays, and passes to the administration API, which may
     * then change or remove it. Only after a file was read whole, so a half-read file hands nothing over.
     */
    private void handOver(List<Entry> entries) {
        for (AdminKind kind : AdminKind.values()) {
            List<String> declared = entries.stream().filter(entry -> entry.section().equals(kind.section()))
                    .map(entry -> entry.node().path(kind.keyField()).asText("")).toList();
            List<Object> arguments = new ArrayList<>(List.of(Administration.API, Administration.FILE));
            arguments.addAll(declared);
            String notDeclared = declared.isEmpty() ? ""
                    : " and " + kind.keyColumn() + " not in (" + String.join(",", Collections.nCopies(
                            declared.size(), "?")) + ")";
            int handed = jdbc.update("update " + kind.table() + " set managed_by = ? where managed_by = ?"
                    + notDeclared, arguments.toArray());
            if (handed > 0) {
                log.info("Provisioning: {} {} no longer in the"
                        + " file, now managed through the administration API", handed, kind.section());
            }
        }
    }

    private void read(InputStream in, String name, List<Entry> entries, List<ProvisioningProblem> problems)
            throws IOException {
        try (JsonParser parser = new YAMLFactory().createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                problems.add(new ProvisioningProblem(name, 1, "expected sections skills:, agents:, calendars:,"
                        + " queues:, dids:"));
                return;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String section = parser.currentName();
                int sectionLine = parser.currentLocation().getLineNr();
                JsonToken value = parser.nextToken();
                if (section.equals(DIAL_PLAN) && value == JsonToken.START_OBJECT) {
                    entries.add(new Entry(section, sectionLine, yaml.readTree(parser)));
                    continue;
                }
                if (!SECTIONS.contains(section) || value != JsonToken.START_ARRAY) {
                    problems.add(new ProvisioningProblem(name, sectionLine, "'" + section
                            + "' is not one of the lists " + String.join(", ", SECTIONS) + "; ignored"));
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    int line = parser.currentTokenLocation().getLineNr();
                    JsonNode node = yaml.readTree(parser);
                    entries.add(new Entry(section, line, node));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            problems.add(new ProvisioningProblem(name, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid YAML: " + e.getOriginalMessage()));
        }
    }

    /**
     * Applies one entry of a section (skills, agents, queues, dids) with the file's validation, and marks who owns it
     * ({@link Administration#FILE} or {@link Administration#API}); runs in the caller's transaction.
     */
    void apply(String section, JsonNode node, String owner) {
        AdminKind kind = AdminKind.of(section);
        String key;
        try {
            key = switch (kind) {
                case SKILLS -> skill(yaml.treeToValue(node, SkillSpec.class));
                case AGENTS -> agent(yaml.treeToValue(node, AgentSpec.class));
                case QUEUES -> queue(yaml.treeToValue(node, QueueSpec.class));
                case DIDS -> did(yaml.treeToValue(node, DidSpec.class));
                case CALENDARS -> calendar(yaml.treeToValue(node, CalendarSpec.class));
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
        jdbc.update("update " + kind.table() + " set managed_by = ? where " + kind.keyColumn() + " = ?", owner, key);
        AfterCommit.run(calendars::invalidate);
    }

    private String calendar(CalendarSpec calendar) {
        require(calendar.name(), "name");
        String zone = calendar.zone() == null ? properties.zone().getId() : calendar.zone();
        BusinessCalendar.zone(zone);
        try {
            BusinessHours.parse(calendar.hours());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("calendar '" + calendar.name() + "': " + e.getMessage());
        }
        Map<String, String> holidays = new java.util.LinkedHashMap<>();
        for (HolidaySpec holiday : calendar.holidays() == null ? List.<HolidaySpec>of() : calendar.holidays()) {
            try {
                BusinessCalendar.day(holiday.date());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("calendar '" + calendar.name() + "': " + e.getMessage());
            }
            if (holidays.containsKey(holiday.date())) {
                throw new IllegalArgumentException("calendar '" + calendar.name() + "': holiday " + holiday.date()
                        + " is listed twice");
            }
            holidays.put(holiday.date(), holiday.name());
        }
        upsert("update business_calendar set description = ?, zone = ?, hours = ? where name = ?",
                "insert into business_calendar (description, zone, hours, name) values (?,?,?,?)",
                calendar.description(), zone, calendar.hours(), calendar.name());
        jdbc.update("delete from calendar_holiday where calendar = ?", calendar.name());
        holidays.forEach((day, holiday) -> jdbc.update("insert into calendar_holiday (calendar, holiday_date,"
                + " holiday_name) values (?,?,?)", calendar.name(), day, holiday));
        return calendar.name();
    }

    /** A calendar a queue or number names must exist (the order of sections applies calendars first). */
    private void requireCalendar(String owner, String calendar) {
        if (calendar != null && jdbc.queryForObject("select count(*) from business_calendar where name = ?",
                Integer.class, calendar) == 0) {
            throw new IllegalArgumentException(owner + ": calendar '" + calendar + "' is not a provisioned calendar");
        }
    }

    private String skill(SkillSpec skill) {
        require(skill.name(), "name");
        upsert("update skill set description = ? where name = ?", "insert into skill (description, name) values (?,?)",
                skill.description(), skill.name());
        return skill.name();
    }

    private String agent(AgentSpec agent) {
        require(agent.id(), "id");
        require(agent.sipUser(), "sipUser");
        String md5;
        String sha256;
        if (agent.password() != null) {
            md5 = ha1("MD5", agent.sipUser(), agent.password());
            sha256 = ha1("SHA-256", agent.sipUser(), agent.password());
        } else if (agent.ha1Md5() != null || agent.ha1Sha256() != null) {
            md5 = agent.ha1Md5();
            sha256 = agent.ha1Sha256();
        } else {
            throw new IllegalArgumentException("agent '" + agent.id() + "' needs a password or ha1Md5/ha1Sha256");
        }
        if (agent.maxCalls() != null && agent.maxCalls() != 1) {
            // An agent is reserved for one call at a time (agent.current_call is unique); a promise of more would be
            // silently broken, so it is refused.
            throw new IllegalArgumentException("agent '" + agent.id() + "': maxCalls " + agent.maxCalls()
                    + " is not supported; an agent takes one call at a time (leave maxCalls out)");
        }
        Map<String, Integer> skills = agent.skills() == null ? Map.of() : agent.skills();
        skills.forEach((skill, level) -> {
            if (level == null || level < 1 || level > 10) {
                throw new IllegalArgumentException("skill '" + skill + "' of agent '" + agent.id()
                        + "' must have a level from 1 to 10, not " + level);
            }
        });
        Object[] values = {agent.name() == null ? agent.id() : agent.name(), agent.sipUser(), md5, sha256,
                agent.maxCalls() == null ? 1 : agent.maxCalls(), agent.enabled() == null || agent.enabled(), agent.id()};
        if (jdbc.update("update agent set name = ?, sip_user = ?, ha1_md5 = ?, ha1_sha256 = ?, max_calls = ?,"
                + " enabled = ? where id = ?", values) == 0) {
            jdbc.update("insert into agent (name, sip_user, ha1_md5, ha1_sha256, max_calls, enabled, id, state_since)"
                    + " values (?,?,?,?,?,?,?,?)", append(values, Timestamp.from(clock.instant())));
        }
        jdbc.update("delete from agent_skill where agent_id = ?", agent.id());
        skills.forEach((skill, level) -> {
            if (jdbc.queryForObject("select count(*) from skill where name = ?", Integer.class, skill) == 0) {
                jdbc.update("insert into skill (name) values (?)", skill);
            }
            jdbc.update("insert into agent_skill (agent_id, skill, proficiency) values (?,?,?)", agent.id(), skill,
                    level);
        });
        return agent.id();
    }

    private String queue(QueueSpec queue) {
        require(queue.name(), "name");
        String strategy = queue.strategy() == null ? "longest-idle" : queue.strategy();
        if (!STRATEGIES.contains(strategy)) {
            throw new IllegalArgumentException("queue '" + queue.name() + "': strategy '" + strategy
                    + "' is not one of " + STRATEGIES);
        }
        BusinessHours.parse(queue.businessHours());
        List<String> holidays = queue.holidays() == null ? List.of() : queue.holidays();
        requireCalendar("queue '" + queue.name() + "'", queue.calendar());
        if (queue.calendar() != null && (queue.businessHours() != null || !holidays.isEmpty())) {
            throw new IllegalArgumentException("queue '" + queue.name() + "' names calendar '" + queue.calendar()
                    + "' and has businessHours/holidays of its own: use one or the other");
        }
        for (String holiday : holidays) {
            try {
                LocalDate.parse(holiday);
            } catch (java.time.format.DateTimeParseException e) {
                // A typo is the operator's to fix (400 through the API, a reported line in the file), not a failure.
                throw new IllegalArgumentException("queue '" + queue.name() + "': holiday '" + holiday
                        + "' is not an ISO date like 2026-12-25");
            }
        }
        Object[] values = {strategy, or(queue.ringTimeoutSeconds(), 15), or(queue.maxWaitSeconds(), 300),
                or(queue.wrapUpSeconds(), 10), or(queue.maxMissedOffers(), 3), or(queue.serviceLevelSeconds(), 20),
                or(queue.serviceLevelTarget(), 80), or(queue.announceSeconds(), 30),
                queue.musicClass() == null ? "default" : queue.musicClass(),
                queue.joinWhenEmpty() != null && queue.joinWhenEmpty(),
                queue.leaveWhenEmpty() != null && queue.leaveWhenEmpty(), queue.businessHours(),
                String.join(",", holidays), queue.calendar(), queue.name()};
        upsert("update call_queue set strategy = ?, ring_timeout_seconds = ?, max_wait_seconds = ?,"
                        + " wrap_up_seconds = ?, max_missed_offers = ?, service_level_seconds = ?,"
                        + " service_level_target = ?, announce_seconds = ?, music_class = ?, join_when_empty = ?,"
                        + " leave_when_empty = ?, business_hours = ?, holidays = ?, calendar = ? where name = ?",
                "insert into call_queue (strategy, ring_timeout_seconds, max_wait_seconds, wrap_up_seconds,"
                        + " max_missed_offers, service_level_seconds, service_level_target, announce_seconds,"
                        + " music_class, join_when_empty, leave_when_empty, business_hours, holidays, calendar, name)"
                        + " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", values);
        callback(queue.name(), queue.callback());
        jdbc.update("delete from queue_member where queue_name = ?", queue.name());
        for (MemberSpec member : queue.members() == null ? List.<MemberSpec>of() : queue.members()) {
            if (jdbc.queryForObject("select count(*) from agent where id = ?", Integer.class, member.agent()) == 0) {
                throw new IllegalArgumentException("queue '" + queue.name() + "': member '" + member.agent()
                        + "' is not a provisioned agent");
            }
            jdbc.update("insert into queue_member (queue_name, agent_id, penalty) values (?,?,?)", queue.name(),
                    member.agent(), or(member.penalty(), 0));
        }
        recording(queue.name(), queue.recording());
        return queue.name();
    }

    /** The queue's recording policy; left out, the standard one (always, no announcement, kept). */
    private void recording(String queue, ProvisioningSpecs.RecordingSpec recording) {
        RecordingPolicy.Mode mode = RecordingPolicy.Mode.ALWAYS;
        if (recording != null && recording.policy() != null) {
            try {
                mode = RecordingPolicy.Mode.parse(recording.policy());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("queue '" + queue + "': " + e.getMessage());
            }
        }
        Integer days = recording == null ? null : recording.retentionDays();
        if (days != null && (days < 1 || days > 36500)) {
            throw new IllegalArgumentException("queue '" + queue + "': recording retentionDays must be from 1 to"
                    + " 36500 (leave it out to keep recordings), not " + days);
        }
        boolean consent = recording != null && Boolean.TRUE.equals(recording.consent());
        jdbc.update("update call_queue set recording_policy = ?, recording_consent = ?, recording_retention_days = ?"
                + " where name = ?", mode.text(), consent, days, queue);
    }

    /** Writes the queue's callback offer after checking it; a queue without one offers no callback. */
    private void callback(String queue, CallbackSpec spec) {
        CallbackSettings defaults = CallbackSettings.OFF;
        CallbackSpec callback = spec == null ? new CallbackSpec(false, null, null, null, null, null) : spec;
        String key = callback.key() == null ? defaults.key() : callback.key();
        if (key.length() != 1 || CallbackSettings.KEYS.indexOf(key.charAt(0)) < 0) {
            throw new IllegalArgumentException("queue '" + queue + "': callback key '" + key
                    + "' must be one digit, 0-9");
        }
        String order = callback.order() == null ? defaults.order() : callback.order();
        if (!CallbackSettings.ORDERS.contains(order)) {
            throw new IllegalArgumentException("queue '" + queue + "': callback order '" + order
                    + "' is not one of agent-first, customer-first");
        }
        int retries = or(callback.retries(), defaults.retries());
        int delay = or(callback.retryDelaySeconds(), (int) defaults.retryDelay().toSeconds());
        int window = or(callback.windowSeconds(), (int) defaults.window().toSeconds());
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("queue '" + queue + "': callback retries must be 0 to 10, not "
                    + retries);
        }
        if (delay < 1 || delay > 86_400) {
            throw new IllegalArgumentException("queue '" + queue + "': callback retryDelaySeconds must be 1 to 86400,"
                    + " not " + delay);
        }
        if (window < 60 || window > 7 * 86_400) {
            throw new IllegalArgumentException("queue '" + queue + "': callback windowSeconds must be 60 to 604800,"
                    + " not " + window);
        }
        jdbc.update("update call_queue set callback_enabled = ?, callback_key = ?, callback_order = ?,"
                + " callback_retries = ?, callback_retry_delay_seconds = ?, callback_window_seconds = ? where name = ?",
                Boolean.TRUE.equals(callback.enabled()), key, order, retries, delay, window, queue);
    }

    private String did(DidSpec did) {
        require(did.did(), "did");
        require(did.flow(), "flow");
        String languages = DidLanguages.validated(did.languages());
        requireCalendar("number '" + did.did() + "'", did.calendar());
        upsert("update did_route set flow_key = ?, description = ?, languages = ?, calendar = ? where did = ?",
                "insert into did_route (flow_key, description, languages, calendar, did) values (?,?,?,?,?)",
                did.flow(), did.description(), languages, did.calendar(), did.did());
        return did.did();
    }

    private void upsert(String update, String insert, Object... values) {
        if (jdbc.update(update, values) == 0) {
            jdbc.update(insert, values);
        }
    }

    /** HA1 = H(username:realm:password), RFC 7616 section 3.4.2. */
    String ha1(String algorithm, String user, String password) {
        try {
            byte[] digest = MessageDigest.getInstance(algorithm)
                    .digest((user + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + field + "' is missing");
        }
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    private static Object[] append(Object[] values, Object last) {
        Object[] all = java.util.Arrays.copyOf(values, values.length + 1);
        all[values.length] = last;
        return all;
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getMessage() == null) {
            root = root.getCause();
        }
        String text = root.getMessage() == null ? root.toString() : root.getMessage();
        return text.lines().findFirst().orElse(text);
    }

    private record Entry(String section, int line, JsonNode node) {
    }
}
