-- One row per call: the record that survives the call, whatever happened to it.
CREATE TABLE call_record (
    call_id      VARCHAR(64)              NOT NULL PRIMARY KEY,
    caller       VARCHAR(255)             NOT NULL,
    did          VARCHAR(64)              NOT NULL,
    trunk        VARCHAR(64),
    flow_key     VARCHAR(255),
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    answered_at  TIMESTAMP WITH TIME ZONE,
    ended_at     TIMESTAMP WITH TIME ZONE,
    outcome      VARCHAR(32),
    queue_name   VARCHAR(255),
    agent        VARCHAR(255)
);

CREATE INDEX call_record_started_at ON call_record (started_at);
