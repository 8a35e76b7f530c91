#!/usr/bin/env bash
# Issue 3's benchmark: a seed step loading a 1M-row CSV against psql's \copy of the same
# file into the same kind of server, alternating ROUNDS times; and rehearse's peak memory
# (its max RSS, and jemalloc's allocated bytes) seeding 1M and 5M rows.
# Usage: Benchmarks/seed-vs-copy.sh [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
source Benchmarks/lib.sh
build_rehearse
gen() { python3 -c "
import sys
n=int(sys.argv[1]); w=sys.stdout.write
w('id,name,score,note\n')
for i in range(1, n+1): w(f'{i},\"name {i}, the {i%7}th\",{i%1000},note-{i:012d}\n')" "$1" > "$2"; }
gen 1000000 "$work/1m.csv"; gen 5000000 "$work/5m.csv"
schema="CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL, score int, note text)"
mkscn() { cat > "$work/$1.yaml" <<YAML
name: seed-$1
steps:
  - {name: schema, sql: "$schema"}
  - name: load
    seed: [{table: t, csv: $2}]
YAML
}
mkscn s1m 1m.csv; mkscn s5m 5m.csv

# Both load into the same server: rehearse with --server, psql into a database of its own.
start_server
: > "$work/rh"; : > "$work/psql"
for r in $(seq "$rounds"); do
  "$bin" run "$work/s1m.yaml" --server "$url" --json --out "$work/out" 2>/dev/null | python3 -c "
import json,sys; d=json.load(sys.stdin); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='load'][0]
assert s['rows']==1000000, s['rows']; print(s['duration_ms'])" >> "$work/rh"
  psql -h "$work" -U postgres -qc 'DROP DATABASE IF EXISTS c' -c 'CREATE DATABASE c' postgres
  psql -h "$work" -U postgres -qc "$schema" c
  t0=$(date +%s%N)
  psql -h "$work" -U postgres -qc "\\copy t (id, name, score, note) FROM '$work/1m.csv' WITH (FORMAT csv, HEADER true)" c
  t1=$(date +%s%N)
  echo "($t1 - $t0) / 1000000" | bc -l >> "$work/psql"
done
rh=$(median < "$work/rh"); pq=$(median < "$work/psql")
# rehearse's own peak RSS (VmHWM of its process, not of the server it starts), polled
# while it runs, and the heap peak jemalloc reports in the results.
mem() {
  local hwm
  hwm=$(run_polled "$work/mem.json" run "$work/$1.yaml" --server "$url" --json --out "$work/out")
  python3 -c "
import json; d=json.load(open('$work/mem.json')); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='load'][0]
print(s['rows'], s.get('client_memory_peak', 0), $hwm)"
}
read -r rows1 alloc1 rss1 <<< "$(mem s1m)"
read -r rows5 alloc5 rss5 <<< "$(mem s5m)"
printf "\n%-40s %12s %12s %8s\n" "1M-row CSV (median of $rounds, ms)" "rehearse" "psql \\copy" "speed"
printf "%-40s %12.0f %12.0f %8.2f\n" "seed / \\copy wall time" "$rh" "$pq" "$(echo "$pq / $rh" | bc -l)"
printf "\n%-40s %14s %14s\n" "rehearse memory while seeding" "max RSS" "heap (jemalloc)"
printf "%-40s %11.1f MB %11.1f MB\n" "1M rows ($rows1 loaded)" "$(echo "$rss1/1024" | bc -l)" "$(echo "$alloc1/1048576" | bc -l)"
printf "%-40s %11.1f MB %11.1f MB\n" "5M rows ($rows5 loaded)" "$(echo "$rss5/1024" | bc -l)" "$(echo "$alloc5/1048576" | bc -l)"
