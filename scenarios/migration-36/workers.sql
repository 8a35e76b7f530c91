-- A worker's transaction: it takes a batch of leads (row locks) and holds them while it "calls" them.
BEGIN;
SELECT id FROM leads WHERE id % 50 = $1 ORDER BY id LIMIT 20 FOR UPDATE;
SELECT pg_sleep(1.0);
COMMIT;
