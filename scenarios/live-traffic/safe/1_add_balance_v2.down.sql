ALTER TABLE accounts DROP COLUMN balance_v2;
