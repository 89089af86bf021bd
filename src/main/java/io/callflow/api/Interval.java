package io.callflow.api;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A reporting interval [from, to) taken from optional ISO-8601 query parameters; today (UTC) so far by default. */
record Interval(Instant from, Instant to) {

    /** Instants outside these years cannot be stored as SQL timestamps by every database (and mean nothing here). */
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    static Interval parse(String from, String to, Clock clock) {
        Instant end = to == null || to.isBlank() ? clock.instant() : instant("to", to);
        Instant start = from == null || from.isBlank()
                ? LocalDate.ofInstant(end, ZoneOffset.UTC).atStartOfDay().toInstant(ZoneOffset.UTC)
                : instant("from", from);
        requireOrdered(start, end);
        return new Interval(start, end);
    }

    /** An optional instant parameter: null when absent or blank, otherwise parsed and bounded as above. */
    static Instant optional(String name, String text) {
        return text == null || text.isBlank() ? null : instant(name, text);
    }

    /** Checks that an optional range's start lies before its end. */
    static void requireOrdered(Instant from, Instant to) {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new BadRequestException("'from' (" + from + ") must be before 'to' (" + to + ")");
        }
    }

    private static Instant instant(String name, String text) {
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new BadRequestException("'" + name + "' must be an ISO-8601 instant such as 2026-11-25T08:00:00Z,"
                    + " not '" + abbreviated(text) + "'");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new BadRequestException("'" + name + "' must lie between " + EARLIEST + " and " + LATEST
                    + ", not " + text);
        }
        return instant;
    }

    private static String abbreviated(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
