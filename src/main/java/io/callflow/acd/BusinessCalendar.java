package io.callflow.acd;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

import io.callflow.routing.CalendarStatus;

/**
 * A named business calendar: opening hours and holidays (single dates and dates every year) in its own time zone.
 * Holidays close the whole day; outside a holiday the hours decide.
 */
record BusinessCalendar(String name, ZoneId zone, BusinessHours hours, Map<LocalDate, String> dated,
        Map<MonthDay, String> yearly) {

    /** Whether the calendar is open at {@code instant}, and if not why, with the local time in its zone. */
    CalendarStatus status(Instant instant) {
        ZonedDateTime local = instant.atZone(zone);
        LocalDate day = local.toLocalDate();
        if (dated.containsKey(day)) {
            return new CalendarStatus(name, false, holiday(dated.get(day)), local);
        }
        MonthDay monthDay = MonthDay.from(day);
        if (yearly.containsKey(monthDay)) {
            return new CalendarStatus(name, false, holiday(yearly.get(monthDay)), local);
        }
        if (!hours.openAt(local)) {
            return new CalendarStatus(name, false, "outside business hours", local);
        }
        return new CalendarStatus(name, true, null, local);
    }

    private static String holiday(String name) {
        return name == null || name.isBlank() ? "public holiday" : "holiday: " + name;
    }

    /** A holiday as written: {@code 2026-12-24} (that day) or {@code 12-25} (every year); anything else is refused. */
    static Object day(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a holiday needs a date");
        }
        try {
            if (text.length() == 5) {
                return MonthDay.parse("--" + text);
            }
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("holiday '" + text + "' is neither a date like 2026-12-24 nor a"
                    + " yearly day like 12-25");
        }
    }

    /** The zone by its IANA name ({@code Europe/Berlin}); a typo is refused with the name quoted. */
    static ZoneId zone(String text) {
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("time zone '" + text + "' is not a zone id like Europe/Berlin or UTC");
        }
    }
}
