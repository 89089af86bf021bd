package io.callflow.routing;

import java.time.ZonedDateTime;

/**
 * A fact for the rules: whether the business calendar of the number called is open now, and if not why ("holiday:
 * Christmas Day", "outside business hours"), with the local time in the calendar's own time zone. Rules read it
 * instead of dates and hours typed into DRL; calendars are data (provisioning and the administration API).
 */
public record CalendarStatus(String calendar, boolean open, String reason, ZonedDateTime localTime) {
}
