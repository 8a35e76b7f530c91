BEGIN;
INSERT INTO t VALUES ($1);
SAVEPOINT before_update;
UPDATE t SET id = id + 1 WHERE id = $1;
COMMIT;
