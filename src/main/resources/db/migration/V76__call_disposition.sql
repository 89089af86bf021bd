-- Wrap-up: the disposition code an agent or supervisor gave a call, and a free-text note (docs/api.md,
-- "PUT /api/v1/calls/{callId}/disposition"). Codes come from callflow.calls.dispositions.
ALTER TABLE call_record ADD COLUMN disposition VARCHAR(64);
ALTER TABLE call_record ADD COLUMN disposition_note VARCHAR(1000);
