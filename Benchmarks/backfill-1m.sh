#!/usr/bin/env bash
# Issue 15's benchmark: a SKIP LOCKED backfill of 1M rows in batches of 1000, by rehearse
# and by hand (the same key walk as a PL/pgSQL procedure committing each batch, so no
# round trips: the floor), on the same server, alternating ROUNDS times. With
# REHEARSE_BEFORE=<binary>, that build of rehearse runs in each round too, so a change to
# the backfill shows its before/after ratio side by side.
# Usage: [REHEARSE_BEFORE=path/to/rehearse] Benchmarks/backfill-1m.sh [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
source Benchmarks/lib.sh
build_rehearse
before=${REHEARSE_BEFORE:-}
rows=1000000
schema="CREATE TABLE t (id bigint PRIMARY KEY, v int, pad text); INSERT INTO t SELECT g, NULL, md5(g::text) FROM generate_series(1, $rows) g; ANALYZE t"
cat > "$work/bf.yaml" <<YAML
name: backfill-1m
steps:
  - {name: schema, sql: "$schema"}
  - name: fill
    backfill: {table: t, set: "v = 1", where: "v IS NULL", batch_size: 1000, skip_locked: true}
YAML

start_server
# fill_ms BINARY: the backfill step's wall time, every row done.
fill_ms() {
  "$1" run "$work/bf.yaml" --server "$url" --json --out "$work/out" 2>/dev/null | python3 -c "
import json,sys; d=json.load(sys.stdin); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='fill'][0]
assert s['rows']==$rows and s['rows_remaining']==0, (s['rows'], s['rows_remaining']); print(s['duration_ms'])"
}
by_hand_ms() {
  psql -qc 'DROP DATABASE IF EXISTS h' -c 'CREATE DATABASE h' postgres 2>/dev/null
  psql -q h <<SQL >/dev/null
$schema;
CREATE PROCEDURE backfill() LANGUAGE plpgsql AS \$\$
DECLARE last bigint := 0; n int;
BEGIN
  LOOP
    WITH b AS (SELECT id FROM t WHERE v IS NULL AND id > last ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED),
         u AS (UPDATE t SET v = 1 WHERE id IN (SELECT id FROM b) RETURNING id)
    SELECT count(*), max(id) INTO n, last FROM u;
    COMMIT;
    EXIT WHEN n = 0;
  END LOOP;
END \$\$;
SQL
  local t0 t1
  t0=$(date +%s%N); psql -qc 'CALL backfill()' h; t1=$(date +%s%N)
  [ "$(psql -qAtc 'SELECT count(*) FROM t WHERE v IS NULL' h)" = 0 ]
  echo "($t1 - $t0) / 1000000" | bc -l
}
: > "$work/rh"; : > "$work/before"; : > "$work/hand"
for r in $(seq "$rounds"); do
  fill_ms "$bin" >> "$work/rh"
  [ -n "$before" ] && fill_ms "$before" >> "$work/before"
  by_hand_ms >> "$work/hand"
done
rh=$(median < "$work/rh"); hand=$(median < "$work/hand")
printf "\n%-44s %10s %10s\n" "1M-row backfill, batches of 1000 (median of $rounds)" "ms" "vs hand"
printf "%-44s %10.0f %10.2f\n" "by hand (PL/pgSQL key walk, no round trips)" "$hand" 1
printf "%-44s %10.0f %10.2f\n" "rehearse" "$rh" "$(echo "$rh / $hand" | bc -l)"
if [ -n "$before" ]; then
  bf=$(median < "$work/before")
  printf "%-44s %10.0f %10.2f\n" "rehearse before (\$REHEARSE_BEFORE)" "$bf" "$(echo "$bf / $hand" | bc -l)"
  printf "%-44s %21.2f\n" "after / before" "$(echo "$rh / $bf" | bc -l)"
fi
