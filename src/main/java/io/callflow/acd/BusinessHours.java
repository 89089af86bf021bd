package io.callflow.acd;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Opening hours written as {@code MON-FRI 08:00-20:00, SAT 09:00-13:00}; blank means always open. Parsing fails with
 * a message that quotes the part it could not read, so a provisioning error points at the typo.
 */
record BusinessHours(List<Window> windows) {

    record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to) {
    }

    static BusinessHours parse(String text) {
        List<Window> windows = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return new BusinessHours(windows);
        }
        for (String part : text.split(",")) {
            String[] fields = part.trim().split("\\s+");
            if (fields.length != 2) {
                throw new IllegalArgumentException("business hours '" + part.trim() + "' are not like MON-FRI 08:00-20:00");
            }
            String[] days = fields[0].toUpperCase(Locale.ROOT).split("-");
            String[] times = fields[1].split("-");
            try {
                DayOfWeek first = day(days[0]);
                DayOfWeek last = days.length > 1 ? day(days[1]) : first;
                Set<DayOfWeek> set = EnumSet.noneOf(DayOfWeek.class);
                for (DayOfWeek d = first; ; d = d.plus(1)) {
                    set.add(d);
                    if (d == last) {
                        break;
                    }
                }
                windows.add(new Window(set, LocalTime.parse(times[0]), LocalTime.parse(times[1])));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("business hours '" + part.trim() + "' are not like MON-FRI 08:00-20:00", e);
            }
        }
        return new BusinessHours(windows);
    }

    boolean openAt(ZonedDateTime at) {
        if (windows.isEmpty()) {
            return true;
        }
        LocalTime time = at.toLocalTime();
        return windows.stream().anyMatch(w -> w.days().contains(at.getDayOfWeek())
                && !time.isBefore(w.from()) && time.isBefore(w.to()));
    }

    private static DayOfWeek day(String abbreviation) {
        for (DayOfWeek day : DayOfWeek.values()) {
            if (day.name().startsWith(abbreviation) && abbreviation.length() >= 2) {
                return day;
            }
        }
        throw new IllegalArgumentException("unknown day " + abbreviation);
    }
}
