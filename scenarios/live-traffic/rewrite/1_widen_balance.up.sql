-- Rewrites the whole table under an ACCESS EXCLUSIVE lock: every read waits.
ALTER TABLE accounts ALTER COLUMN balance TYPE bigint;
