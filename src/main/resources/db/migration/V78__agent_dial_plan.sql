-- The dial plan for calls agents place from their phones (docs/sip.md, "Agent-originated calls"): one JSON document
-- (extensions, queue numbers, outside-number patterns, feature codes), from the provisioning file's dialPlan section
-- or the administration API (PUT /api/v1/dialplan).
CREATE TABLE agent_dial_plan (
    id          INT                      PRIMARY KEY,
    document    VARCHAR(100000)          NOT NULL,
    managed_by  VARCHAR(8)               DEFAULT 'file' NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
