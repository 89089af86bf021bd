package io.callflow.acd;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.Set;

/** A queue's configuration as stored, with the rules that follow from it (open now?). */
record QueueConfig(String name, String strategy, Duration ringTimeout, Duration maxWait, Duration wrapUp,
        int maxMissedOffers, Duration serviceLevel, int serviceLevelTarget, Duration announceInterval,
        String musicClass, boolean joinWhenEmpty, BusinessHours hours, Set<LocalDate> holidays, String lastAgentId,
        String calendar) {

    /** Open by the queue's own hours and holidays (a queue that names a calendar asks {@link BusinessCalendars}). */
    boolean openAt(ZonedDateTime at) {
        return !holidays.contains(at.toLocalDate()) && hours.openAt(at);
    }

    QueueSettings settings() {
        return new QueueSettings(name, maxWait, ringTimeout, announceInterval, musicClass);
    }
}
