-- The languages a number offers its callers, in menu order (comma-separated tags; the first is the default).
-- Null: the default language alone (callflow.prompts.default-language), no language menu.
ALTER TABLE did_route ADD COLUMN languages VARCHAR(64);
-- The language the call was served in (chosen in the language menu, or the number's default).
ALTER TABLE call_record ADD COLUMN language VARCHAR(16);
