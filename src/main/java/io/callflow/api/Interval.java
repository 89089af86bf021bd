package io.callflow.api;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A reporting interval [from, to) taken from optional ISO-8601 query parameters; today (UTC) so far by default. */
record Interval(Instant from, Instant to) {

    static Interval parse(String from, String to, Clock clock) {
        Instant end = to == null || to.isBlank() ? clock.instant() : instant("to", to);
        Instant start = from == null || from.isBlank()
                ? LocalDate.ofInstant(end, ZoneOffset.UTC).atStartOfDay().toInstant(ZoneOffset.UTC)
                : instant("from", from);
        if (!start.isBefore(end)) {
            throw new BadRequestException("'from' (" + start + ") must be before 'to' (" + end + ")");
        }
        return new Interval(start, end);
    }

    private static Instant instant(String name, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new BadRequestException("'" + name + "' must be an ISO-8601 instant such as 2026-11-25T08:00:00Z,"
                    + " not '" + text + "'");
        }
    }
}
