package io.callflow.acd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.Map;

import io.callflow.routing.CalendarStatus;
import org.junit.jupiter.api.Test;

/** A business calendar decides in its own time zone: hours, dated holidays and holidays every year. */
class BusinessCalendarTest {

    final BusinessCalendar berlin = new BusinessCalendar("berlin", ZoneId.of("Europe/Berlin"),
            BusinessHours.parse("MON-FRI 08:00-18:00, SAT 09:00-12:00"),
            Map.of(LocalDate.of(2026, 12, 24), ""), Map.of(MonthDay.of(12, 25), "Christmas Day"));

    @Test
    void hoursAreReadInTheCalendarsZone() {
        // 07:30 UTC on a Wednesday in winter is 08:30 in Berlin: open there, while a UTC calendar is still closed.
        Instant morning = Instant.parse("2026-12-02T07:30:00Z");
        assertThat(berlin.status(morning)).extracting(CalendarStatus::open, CalendarStatus::reason)
                .containsExactly(true, null);
        assertThat(berlin.status(morning).localTime().getHour()).isEqualTo(8);
        var utc = new BusinessCalendar("utc", ZoneId.of("UTC"), BusinessHours.parse("MON-FRI 08:00-18:00"), Map.of(),
                Map.of());
        assertThat(utc.status(morning)).extracting(CalendarStatus::open, CalendarStatus::reason)
                .containsExactly(false, "outside business hours");
        // 17:30 UTC is 18:30 in Berlin: closed; Saturday 10:00 Berlin open, Sunday closed.
        assertThat(berlin.status(Instant.parse("2026-12-02T17:30:00Z")).open()).isFalse();
        assertThat(berlin.status(Instant.parse("2026-12-05T09:00:00Z")).open()).isTrue();
        assertThat(berlin.status(Instant.parse("2026-12-06T09:00:00Z")).open()).isFalse();
        // Summer time: 06:30 UTC in July is 08:30 in Berlin.
        assertThat(berlin.status(Instant.parse("2027-07-07T06:30:00Z")).open()).isTrue();
    }

    @Test
    void holidaysCloseTheWholeDayDatedOnceYearlyEveryYear() {
        assertThat(berlin.status(Instant.parse("2026-12-24T10:00:00Z")))
                .extracting(CalendarStatus::open, CalendarStatus::reason).containsExactly(false, "public holiday");
        assertThat(berlin.status(Instant.parse("2027-12-24T10:00:00Z")).open()).as("dated: 2026 only").isTrue();
        assertThat(berlin.status(Instant.parse("2026-12-25T10:00:00Z")).reason()).isEqualTo("holiday: Christmas Day");
        assertThat(berlin.status(Instant.parse("2029-12-25T10:00:00Z")).reason()).isEqualTo("holiday: Christmas Day");
        // 23:30 UTC on 24 Dec is already the 25th in Berlin.
        assertThat(berlin.status(Instant.parse("2027-12-24T23:30:00Z")).reason()).isEqualTo("holiday: Christmas Day");
    }

    @Test
    void badDaysAndZonesAreRefusedWithTheTextQuoted() {
        assertThat(BusinessCalendar.day("12-25")).isEqualTo(MonthDay.of(12, 25));
        assertThat(BusinessCalendar.day("2026-12-24")).isEqualTo(LocalDate.of(2026, 12, 24));
        for (String bad : new String[] {"13-45", "2026-02-30", "25.12.", "christmas", "2026-1-1"}) {
            assertThatThrownBy(() -> BusinessCalendar.day(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'");
        }
        assertThatThrownBy(() -> BusinessCalendar.zone("Mars/Olympus")).hasMessageContaining("'Mars/Olympus'");
    }
}
