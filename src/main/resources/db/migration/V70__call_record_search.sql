-- Call record searches (GET /api/v1/calls) are newest first within a time range, often for one agent or queue.
CREATE INDEX call_record_started ON call_record (started_at);
CREATE INDEX call_record_agent_started ON call_record (agent, started_at);
CREATE INDEX call_record_queue_started ON call_record (queue_name, started_at);
