package io.callflow.acd;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.callflow.routing.CalendarStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The business calendars of numbers and queues, read from the database (provisioning and the administration API
 * write them) and kept in memory for {@link #FRESHNESS}; a change through either is applied at once, since both
 * clear the memory.
 */
@Component
public class BusinessCalendars {

    private static final Logger log = LoggerFactory.getLogger(BusinessCalendars.class);
    /** How long a calendar is taken from memory before the database is asked again (another node's change). */
    static final Duration FRESHNESS = Duration.ofSeconds(10);

    private final JdbcTemplate jdbc;
    private final LoadingCache<String, Optional<BusinessCalendar>> byName;
    private final LoadingCache<String, Optional<String>> byDid;

    BusinessCalendars(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.byName = Caffeine.newBuilder().maximumSize(1_000).expireAfterWrite(FRESHNESS).build(this::load);
        this.byDid = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(FRESHNESS)
                .build(did -> jdbc.queryForList("select calendar from did_route where did = ?", String.class, did)
                        .stream().filter(name -> name != null).findFirst());
    }

    /** The status of the calendar of the number {@code did} at {@code at}; empty when the number names none. */
    public Optional<CalendarStatus> forNumber(String did, Instant at) {
        if (did == null || did.isBlank()) {
            return Optional.empty();
        }
        return byDid.get(did).flatMap(name -> status(name, at));
    }

    /**
     * The status of the calendar {@code name} at {@code at}; empty for a calendar that does not exist (it cannot be
     * removed while named, so this is a race with a removal: logged, and taken as no calendar, so calls are served).
     */
    public Optional<CalendarStatus> status(String name, Instant at) {
        Optional<BusinessCalendar> calendar = byName.get(name);
        if (calendar.isEmpty()) {
            log.warn("Business calendar '{}' is named but does not exist; treated as always open", name);
        }
        return calendar.map(found -> found.status(at));
    }

    /** Forgets what is in memory: called after provisioning or the API changed a calendar, a number or a queue. */
    void invalidate() {
        byName.invalidateAll();
        byDid.invalidateAll();
    }

    private Optional<BusinessCalendar> load(String name) {
        List<Map<String, Object>> rows = jdbc.queryForList("select zone, hours from business_calendar where name = ?",
                name);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Map<LocalDate, String> dated = new HashMap<>();
        Map<MonthDay, String> yearly = new HashMap<>();
        jdbc.query("select holiday_date, holiday_name from calendar_holiday where calendar = ?", rs -> {
            Object day = BusinessCalendar.day(rs.getString(1));
            String holiday = rs.getString(2) == null ? "" : rs.getString(2);
            if (day instanceof LocalDate date) {
                dated.put(date, holiday);
            } else {
                yearly.put((MonthDay) day, holiday);
            }
        }, name);
        Map<String, Object> row = rows.get(0);
        return Optional.of(new BusinessCalendar(name, BusinessCalendar.zone((String) row.get("zone")),
                BusinessHours.parse((String) row.get("hours")), Map.copyOf(dated), Map.copyOf(yearly)));
    }
}
