#!/usr/bin/env bash
# Issue 14's cost of exact locks: a `sql` step of N single-row INSERTs run one by one in
# one transaction with a pg_locks read after each (exact locks), against the same
# statements between BEGIN and COMMIT, which rehearse sends as one query with no lock
# reads; alternating ROUNDS times on one by-hand server.
# Usage: Benchmarks/exact-locks.sh [rounds=5] [statements=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
n=${2:-2000}
source Benchmarks/lib.sh
build_rehearse
python3 - "$n" > "$work/exact.sql" <<'PY'
import sys
print("CREATE TABLE t (id int PRIMARY KEY, v text);")
for i in range(1, int(sys.argv[1]) + 1): print(f"INSERT INTO t VALUES ({i}, 'row {i}');")
PY
{ echo "BEGIN;"; cat "$work/exact.sql"; echo "COMMIT;"; } > "$work/one.sql"
for k in exact one; do
  printf 'name: locks-%s\nsteps:\n  - {name: load, sql: {file: %s.sql}}\n' "$k" "$k" > "$work/$k.yaml"
done
start_server
: > "$work/exact.ms"; : > "$work/one.ms"
for r in $(seq "$rounds"); do
  for k in exact one; do
    "$bin" run "$work/$k.yaml" --server "$url" --json --out "$work/out" 2>/dev/null | python3 -c "
import json,sys; d=json.load(sys.stdin); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='load'][0]
exact=[l for l in s.get('locks_taken') or [] if l.get('exact')]
assert ('$k' == 'exact') == bool(exact), s.get('locks_taken')
print(s['duration_ms'])" >> "$work/$k.ms"
  done
done
ex=$(median < "$work/exact.ms"); one=$(median < "$work/one.ms")
printf "\n%-48s %10s %10s %8s\n" "$n statements (median of $rounds, ms)" "exact" "one query" "ratio"
printf "%-48s %10.1f %10.1f %8.2f\n" "sql step wall time" "$ex" "$one" "$(echo "$ex / $one" | bc -l)"
printf "%-48s %10.1f\n" "cost per statement (µs)" "$(echo "($ex - $one) * 1000 / $n" | bc -l)"
