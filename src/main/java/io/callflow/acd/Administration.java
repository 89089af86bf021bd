package io.callflow.acd;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callflow.acd.AdministrationRefused.Reason;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Skills, agents, queues and numbers (DIDs) created, changed and removed at run time, with the same validation as
 * the provisioning file. The file wins: an entry it declares is read-only here, and an entry created here that the
 * file later declares becomes the file's. Secrets (passwords, HA1 hashes) are written, never read back.
 */
@Service
public class Administration {

    /** Owner of an entry declared in the provisioning file. */
    public static final String FILE = "file";
    /** Owner of an entry created through the administration API. */
    public static final String API = "api";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Provisioning provisioning;
    private final Dispatcher dispatcher;
    private final BusinessCalendars calendars;

    Administration(JdbcTemplate jdbc, TransactionTemplate tx, Provisioning provisioning, Dispatcher dispatcher,
            BusinessCalendars calendars) {
        this.calendars = calendars;
        this.jdbc = jdbc;
        this.tx = tx;
        this.provisioning = provisioning;
        this.dispatcher = dispatcher;
    }

    public List<Map<String, Object>> list(AdminKind kind) {
        return jdbc.query("select * from " + kind.table() + " order by " + kind.keyColumn(),
                (rs, row) -> view(kind, rs));
    }

    public Optional<Map<String, Object>> find(AdminKind kind, String key) {
        return jdbc.query("select * from " + kind.table() + " where " + kind.keyColumn() + " = ?",
                (rs, row) -> view(kind, rs), key).stream().findFirst();
    }

    /**
     * Creates or replaces the entry named {@code key} from a provisioning-file entry in JSON; returns whether it was
     * created. An agent changed without a password keeps its current credentials.
     */
    public boolean put(AdminKind kind, String key, JsonNode entry) {
        if (!(entry instanceof ObjectNode body)) {
            throw new IllegalArgumentException("the body must be a JSON object with the fields of a provisioning "
                    + kind.section() + " entry");
        }
        JsonNode named = body.get(kind.keyField());
        if (named != null && !named.isNull() && !key.equals(named.asText())) {
            throw new IllegalArgumentException("'" + kind.keyField() + "' in the body ('" + named.asText()
                    + "') differs from the one in the path ('" + key + "')");
        }
        body.put(kind.keyField(), key);
        boolean created;
        try {
            created = Boolean.TRUE.equals(tx.execute(status -> apply(kind, key, body)));
        } catch (DataIntegrityViolationException e) {
            // The checks cover the key; what is left is another unique value, such as a sipUser in use.
            throw new AdministrationRefused(Reason.IN_USE, "The " + singular(kind) + " '" + key + "' clashes with"
                    + " another entry (an agent's sipUser must be unique)");
        }
        dispatcher.trigger();
        return created;
    }

    private boolean apply(AdminKind kind, String key, ObjectNode body) {
        Optional<String> owner = owner(kind, key);
        if (owner.filter(FILE::equals).isPresent()) {
            throw ownedByFile(kind, key);
        }
        if (kind == AdminKind.AGENTS && owner.isPresent() && !body.hasNonNull("password")
                && !body.hasNonNull("ha1Md5") && !body.hasNonNull("ha1Sha256")) {
            jdbc.query("select ha1_md5, ha1_sha256 from agent where id = ?", rs -> {
                body.put("ha1Md5", rs.getString(1));
                body.put("ha1Sha256", rs.getString(2));
            }, key);
        }
        provisioning.apply(kind.section(), body, API);
        return owner.isEmpty();
    }

    /** Removes an entry created here; refused while it is in use (an agent on a call, a queue with waiting calls). */
    public void delete(AdminKind kind, String key) {
        tx.executeWithoutResult(status -> {
            String owner = owner(kind, key).orElseThrow(() -> new AdministrationRefused(Reason.NOT_FOUND,
                    "There is no " + singular(kind) + " '" + key + "'"));
            if (FILE.equals(owner)) {
                throw ownedByFile(kind, key);
            }
            inUse(kind, key).ifPresent(why -> {
                throw new AdministrationRefused(Reason.IN_USE, "The " + singular(kind) + " '" + key
                        + "' cannot be removed now: " + why);
            });
            jdbc.update("delete from " + kind.table() + " where " + kind.keyColumn() + " = ?", key);
        });
        calendars.invalidate();
    }

    private Optional<String> inUse(AdminKind kind, String key) {
        return switch (kind) {
            case AGENTS -> jdbc.query("select state, current_call from agent where id = ?", (rs, row) ->
                    rs.getString("current_call") != null ? "it is " + rs.getString("state") + " with call "
                            + rs.getString("current_call") : null, key).stream().filter(why -> why != null)
                    .findFirst();
            case QUEUES -> count("select count(*) from queue_entry where queue_name = ?", key) > 0
                    ? Optional.of("calls are waiting in it") : Optional.empty();
            case SKILLS -> {
                List<String> agents = jdbc.queryForList("select agent_id from agent_skill where skill = ?"
                        + " order by agent_id", String.class, key);
                yield agents.isEmpty() ? Optional.empty() : Optional.of("agents " + agents + " have it");
            }
            case DIDS -> Optional.empty();
            case CALENDARS -> {
                List<String> users = jdbc.queryForList("select 'queue ' || name from call_queue where calendar = ?"
                        + " union select 'number ' || did from did_route where calendar = ?", String.class, key, key);
                yield users.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", users.stream().sorted()
                        .toList()) + " use it");
            }
        };
    }

    private Optional<String> owner(AdminKind kind, String key) {
        return jdbc.queryForList("select managed_by from " + kind.table() + " where " + kind.keyColumn() + " = ?"
                + " for update", String.class, key).stream().findFirst();
    }

    private int count(String sql, String key) {
        return jdbc.queryForObject(sql, Integer.class, key);
    }

    private Map<String, Object> view(AdminKind kind, ResultSet rs) throws SQLException {
        Map<String, Object> view = new LinkedHashMap<>();
        switch (kind) {
            case SKILLS -> {
                view.put("name", rs.getString("name"));
                view.put("description", rs.getString("description"));
            }
            case AGENTS -> {
                String id = rs.getString("id");
                view.put("id", id);
                view.put("name", rs.getString("name"));
                view.put("sipUser", rs.getString("sip_user"));
                view.put("maxCalls", rs.getInt("max_calls"));
                view.put("enabled", rs.getBoolean("enabled"));
                Map<String, Integer> skills = new LinkedHashMap<>();
                jdbc.query("select skill, proficiency from agent_skill where agent_id = ? order by skill",
                        row -> { skills.put(row.getString(1), row.getInt(2)); }, id);
                view.put("skills", skills);
            }
            case QUEUES -> {
                String name = rs.getString("name");
                view.put("name", name);
                view.put("strategy", rs.getString("strategy"));
                view.put("ringTimeoutSeconds", rs.getInt("ring_timeout_seconds"));
                view.put("maxWaitSeconds", rs.getInt("max_wait_seconds"));
                view.put("wrapUpSeconds", rs.getInt("wrap_up_seconds"));
                view.put("maxMissedOffers", rs.getInt("max_missed_offers"));
                view.put("serviceLevelSeconds", rs.getInt("service_level_seconds"));
                view.put("serviceLevelTarget", rs.getInt("service_level_target"));
                view.put("announceSeconds", rs.getInt("announce_seconds"));
                view.put("musicClass", rs.getString("music_class"));
                view.put("joinWhenEmpty", rs.getBoolean("join_when_empty"));
                view.put("leaveWhenEmpty", rs.getBoolean("leave_when_empty"));
                view.put("businessHours", rs.getString("business_hours"));
                String holidays = rs.getString("holidays");
                view.put("holidays", holidays == null || holidays.isBlank() ? List.of()
                        : Arrays.asList(holidays.split(",")));
                Map<String, Object> callback = new LinkedHashMap<>();
                callback.put("enabled", rs.getBoolean("callback_enabled"));
                callback.put("key", rs.getString("callback_key"));
                callback.put("order", rs.getString("callback_order"));
                callback.put("retries", rs.getInt("callback_retries"));
                callback.put("retryDelaySeconds", rs.getInt("callback_retry_delay_seconds"));
                callback.put("windowSeconds", rs.getInt("callback_window_seconds"));
                view.put("callback", callback);
                view.put("members", jdbc.query("select agent_id, penalty from queue_member where queue_name = ?"
                        + " order by agent_id", (row, n) -> Map.of("agent", row.getString(1), "penalty",
                                row.getInt(2)), name));
                Map<String, Object> recording = new LinkedHashMap<>();
                recording.put("policy", rs.getString("recording_policy"));
                recording.put("consent", rs.getBoolean("recording_consent"));
                int days = rs.getInt("recording_retention_days");
                recording.put("retentionDays", rs.wasNull() ? null : days);
                view.put("recording", recording);
                view.put("calendar", rs.getString("calendar"));
            }
            case CALENDARS -> {
                String name = rs.getString("name");
                view.put("name", name);
                view.put("description", rs.getString("description"));
                view.put("zone", rs.getString("zone"));
                view.put("hours", rs.getString("hours"));
                view.put("holidays", jdbc.query("select holiday_date, holiday_name from calendar_holiday"
                        + " where calendar = ? order by holiday_date", (row, n) -> {
                            Map<String, Object> holiday = new LinkedHashMap<>();
                            holiday.put("date", row.getString(1));
                            holiday.put("name", row.getString(2));
                            return holiday;
                        }, name));
            }
            case DIDS -> {
                view.put("did", rs.getString("did"));
                view.put("flow", rs.getString("flow_key"));
                view.put("description", rs.getString("description"));
                view.put("languages", DidLanguages.parse(rs.getString("languages")));
                view.put("calendar", rs.getString("calendar"));
            }
        }
        view.put("managedBy", rs.getString("managed_by"));
        return view;
    }

    private static AdministrationRefused ownedByFile(AdminKind kind, String key) {
        return new AdministrationRefused(Reason.OWNED_BY_FILE, "The " + singular(kind) + " '" + key
                + "' is declared in the provisioning file, which wins: change it there, or remove it from the file"
                + " and it passes to the API");
    }

    private static String singular(AdminKind kind) {
        return kind == AdminKind.DIDS ? "number" : kind.section().substring(0, kind.section().length() - 1);
    }
}
