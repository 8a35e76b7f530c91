#!/usr/bin/env bash
# Issue 14's cost of exact locks: a `sql` step of N single-row INSERTs (one lock read,
# the first: later INSERTs into the same table take the same locks) and of N single-row
# UPDATEs (a lock read after each), run one by one in one transaction, against the same
# statements between BEGIN and COMMIT, which rehearse sends as one query with no lock
# reads; alternating ROUNDS times on one by-hand server.
# Usage: Benchmarks/exact-locks.sh [rounds=5] [statements=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
n=${2:-2000}
source Benchmarks/lib.sh
build_rehearse
python3 - "$n" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
rows = [f"INSERT INTO t VALUES ({i}, 'row {i}');" for i in range(1, n + 1)]
updates = [f"UPDATE t SET v = 'new {i}' WHERE id = {i};" for i in range(1, n + 1)]
# The UPDATE scenarios first load the rows as one query (insert-one.sql).
for name, body in (("insert", rows), ("update", updates)):
    for kind, lines in (("exact", body), ("one", ["BEGIN;"] + body + ["COMMIT;"])):
        open(f"{work}/{name}-{kind}.sql", "w").write("\n".join(lines) + "\n")
        steps = ["{name: setup, sql: \"CREATE TABLE t (id int PRIMARY KEY, v text)\"}"]
        if name == "update": steps.append("{name: rows, sql: {file: insert-one.sql}}")
        steps.append(f"{{name: load, sql: {{file: {name}-{kind}.sql}}}}")
        open(f"{work}/{name}-{kind}.yaml", "w").write(
            f"name: locks-{name}-{kind}\nsteps:\n" + "".join(f"  - {x}\n" for x in steps))
PY
start_server
for k in insert-exact insert-one update-exact update-one; do : > "$work/$k.ms"; done
for r in $(seq "$rounds"); do
  for k in insert-exact insert-one update-exact update-one; do
    "$bin" run "$work/$k.yaml" --server "$url" --json --out "$work/out" 2>/dev/null | python3 -c "
import json,sys; d=json.load(sys.stdin); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='load'][0]
exact=[l for l in s.get('locks_taken') or [] if l.get('exact')]
assert ('$k'.endswith('exact')) == bool(exact), s.get('locks_taken')
print(s['duration_ms'])" >> "$work/$k.ms"
  done
done
printf "\n%-40s %10s %10s %8s %14s\n" "$n statements (median of $rounds, ms)" "exact" "one query" "ratio" "µs/statement"
for s in insert update; do
  ex=$(median < "$work/$s-exact.ms"); one=$(median < "$work/$s-one.ms")
  printf "%-40s %10.1f %10.1f %8.2f %14.1f\n" "sql step of single-row ${s}s" "$ex" "$one" \
    "$(echo "$ex / $one" | bc -l)" "$(echo "($ex - $one) * 1000 / $n" | bc -l)"
done
