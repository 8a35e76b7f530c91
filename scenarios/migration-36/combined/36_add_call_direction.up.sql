-- Migration 36 as it shipped: schema change and a backfill of every row in one transaction.
ALTER TABLE leads ADD COLUMN last_call_direction text;
UPDATE leads SET last_call_direction = 'inbound';
ALTER TABLE leads ALTER COLUMN last_call_direction SET NOT NULL;
