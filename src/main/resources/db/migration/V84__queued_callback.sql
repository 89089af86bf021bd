-- Queued callback: a waiting caller asks to be called back and keeps their place in the queue.
-- Written for both PostgreSQL and H2.

-- Per queue: whether callers may ask for a callback, the key they press, who is rung first, how often a customer who
-- does not answer is tried again, after how long, and for how long after the request a callback may still be made.
ALTER TABLE call_queue ADD COLUMN callback_enabled BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE call_queue ADD COLUMN callback_key VARCHAR(1) DEFAULT '5' NOT NULL;
ALTER TABLE call_queue ADD COLUMN callback_order VARCHAR(16) DEFAULT 'agent-first' NOT NULL;
ALTER TABLE call_queue ADD COLUMN callback_retries INTEGER DEFAULT 2 NOT NULL;
ALTER TABLE call_queue ADD COLUMN callback_retry_delay_seconds INTEGER DEFAULT 120 NOT NULL;
ALTER TABLE call_queue ADD COLUMN callback_window_seconds INTEGER DEFAULT 14400 NOT NULL;

-- CALL: a caller on the line; CALLBACK: a callback keeping the place of a caller who hung up (its call_id is the
-- callback's id, its entered_at the caller's).
ALTER TABLE queue_entry ADD COLUMN kind VARCHAR(16) DEFAULT 'CALL' NOT NULL;

-- One row per callback request, kept after it ended (the record of what happened to it).
CREATE TABLE callback (
    id            VARCHAR(64)              NOT NULL PRIMARY KEY,
    call_id       VARCHAR(64)              NOT NULL,
    queue_name    VARCHAR(64)              NOT NULL,
    number        VARCHAR(64)              NOT NULL,
    -- The caller's original place: entered_at of their queue entry, kept when the callback is queued again.
    entered_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    requested_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    priority      INTEGER                  DEFAULT 0 NOT NULL,
    required_skills VARCHAR(500),
    -- PENDING (waiting for its place), ATTEMPTING, RETRY_WAIT, COMPLETED, FAILED, EXPIRED, CANCELLED.
    state         VARCHAR(16)              NOT NULL,
    attempts      INTEGER                  DEFAULT 0 NOT NULL,
    last_outcome  VARCHAR(32),
    agent_id      VARCHAR(64),
    ended_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX callback_queue_state ON callback (queue_name, state);
