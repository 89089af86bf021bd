-- What the call flow decided, kept with the record so a supervisor can see why a call went where it went.
ALTER TABLE call_record ADD COLUMN menu_choice VARCHAR(32);
ALTER TABLE call_record ADD COLUMN routing_rules VARCHAR(2000);
ALTER TABLE call_record ADD COLUMN offer_attempts INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE call_record ADD COLUMN hangup_cause VARCHAR(32);
