-- The node whose SIP dialogs and media carry the call: after that node dies (or restarts) its open calls are ended
-- by whoever runs the reconciliation for it (docs/flow.md, "Nothing stuck").
ALTER TABLE call_record ADD COLUMN owner_node VARCHAR(64);
CREATE INDEX call_record_open ON call_record (owner_node, ended_at);
