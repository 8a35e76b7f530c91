-- The fix: DDL only; it must succeed and never waits on row locks.
ALTER TABLE leads ADD COLUMN last_call_direction text;
