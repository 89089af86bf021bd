-- Who owns an ACD entry: the provisioning file ('file', which wins) or the administration API ('api'), which may
-- change and remove only its own entries (docs/api.md, "Administration").
ALTER TABLE skill ADD COLUMN managed_by VARCHAR(8) DEFAULT 'file' NOT NULL;
ALTER TABLE agent ADD COLUMN managed_by VARCHAR(8) DEFAULT 'file' NOT NULL;
ALTER TABLE call_queue ADD COLUMN managed_by VARCHAR(8) DEFAULT 'file' NOT NULL;
ALTER TABLE did_route ADD COLUMN managed_by VARCHAR(8) DEFAULT 'file' NOT NULL;
