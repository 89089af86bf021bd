-- Business calendars as data: opening hours and holidays in a time zone of their own, named, and used by numbers
-- (the rules see the result as a CalendarStatus fact) and queues (a closed queue takes no calls).
CREATE TABLE business_calendar (
    name        VARCHAR(64) PRIMARY KEY,
    description VARCHAR(200),
    zone        VARCHAR(64) NOT NULL,
    -- Opening hours like "MON-FRI 08:00-20:00, SAT 09:00-13:00"; null or blank: open around the clock.
    hours       VARCHAR(500),
    managed_by  VARCHAR(8) DEFAULT 'file' NOT NULL
);
-- A holiday is one date (2026-12-24) or a date every year (12-25, kept as written).
CREATE TABLE calendar_holiday (
    calendar VARCHAR(64) NOT NULL REFERENCES business_calendar (name) ON DELETE CASCADE,
    holiday_date VARCHAR(10) NOT NULL,
    holiday_name VARCHAR(100),
    PRIMARY KEY (calendar, holiday_date)
);
ALTER TABLE did_route ADD COLUMN calendar VARCHAR(64);
ALTER TABLE call_queue ADD COLUMN calendar VARCHAR(64);
