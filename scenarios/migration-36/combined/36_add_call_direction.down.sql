ALTER TABLE leads DROP COLUMN last_call_direction;
