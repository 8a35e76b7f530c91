-- The safe way, step 1: a new nullable column is a catalog-only change.
ALTER TABLE accounts ADD COLUMN balance_v2 bigint;
