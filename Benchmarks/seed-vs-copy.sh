#!/usr/bin/env bash
# Issues 3 and 21: a seed step loading a 1M-row CSV, over one COPY stream and over parallel
# streams (`streams: auto`), in binary COPY format (the default for these column types) and
# as CSV, against psql's \copy of the same file into the same server,
# alternating ROUNDS times in one run; that the parallel seed loads exactly what \copy
# loads; and rehearse's peak memory (its max RSS, and jemalloc's allocated bytes) seeding
# 1M and 5M rows with one stream and with parallel streams.
# Usage: [PGBIN=…/bin] Benchmarks/seed-vs-copy.sh [rounds=3]
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
# mkscn NAME CSV STREAMS [CHECK]: a scenario loading CSV with STREAMS, and an optional check.
mkscn() { cat > "$work/$1.yaml" <<YAML
name: seed-$1
steps:
  - {name: schema, sql: "$schema"}
  - name: load
    seed: [{table: t, csv: $2, streams: $3}]
${4:-}
YAML
}
mkscn s1m 1m.csv 1; mkscn s5m 5m.csv 1; mkscn p1m 1m.csv auto; mkscn p5m 5m.csv auto
# One stream in chunks of 100000 rows: each COPY has a fixed cost on the server (PostgreSQL 15
# sets up a slot for each of the 1000 rows it buffers), which larger chunks spread thinner.
sed 's/streams: 1}/streams: 1, chunk_rows: 100000}/; s/name: seed-s1m/name: seed-b1m/' "$work/s1m.yaml" > "$work/b1m.yaml"

# Both load into the same server: rehearse with --server, psql into a database of its own.
# Other work on the machine shows in the load average, printed before and after.
echo "$("$pgbin/postgres" --version) (PGBIN picks another build); load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
start_server
# The server's CPU time so far, ms: its backends' user and system time, counted in the
# postmaster once they exit. Less disturbed by other work on the machine than wall time.
server_cpu() { awk '{print ($16 + $17) * 10}' "/proc/$(head -1 "$work/data/postmaster.pid")/stat"; }
# seed SCENARIO [FORMAT]: the load step's duration in ms; FORMAT csv sends every chunk as CSV
# (REHEARSE_SEED_FORMAT=csv), to show what the binary COPY format saves in the same build.
seed() {
  REHEARSE_SEED_FORMAT=${2:-} "$bin" run "$work/$1.yaml" --server "$url" --json --out "$work/out" 2>/dev/null | python3 -c "
import json,sys; d=json.load(sys.stdin); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='load'][0]
assert s['status']=='ok' and s['rows']==1000000, (s['status'], s['rows'], s.get('error')); print(s['duration_ms'])"
}
: > "$work/single"; : > "$work/parallel"; : > "$work/big"; : > "$work/psql"; : > "$work/cpu"
: > "$work/csv-single"; : > "$work/csv-parallel"
for r in $(seq "$rounds"); do
  c0=$(server_cpu); seed s1m >> "$work/single"
  sleep 0.2; c1=$(server_cpu); seed p1m >> "$work/parallel"
  sleep 0.2; c2=$(server_cpu)
  seed b1m >> "$work/big"
  sleep 0.2; c2b=$(server_cpu)
  psql -h "$work" -U postgres -qc 'DROP DATABASE IF EXISTS c' -c 'CREATE DATABASE c' postgres 2>/dev/null
  psql -h "$work" -U postgres -qc "$schema" c
  t0=$(date +%s%N)
  psql -h "$work" -U postgres -qc "\\copy t (id, name, score, note) FROM '$work/1m.csv' WITH (FORMAT csv, HEADER true)" c
  t1=$(date +%s%N)
  sleep 0.2; c3=$(server_cpu)
  echo "($t1 - $t0) / 1000000" | bc >> "$work/psql"
  echo "$((c1 - c0)) $((c2 - c1)) $((c2b - c2)) $((c3 - c2b))" >> "$work/cpu"
  seed s1m csv >> "$work/csv-single"; seed p1m csv >> "$work/csv-parallel"
done
single=$(median < "$work/single"); parallel=$(median < "$work/parallel"); big=$(median < "$work/big"); pq=$(median < "$work/psql")
csv1=$(median < "$work/csv-single"); csvp=$(median < "$work/csv-parallel")

# Identical results: the parallel seed's table has the checksum of the table \copy loaded.
sum="SELECT count(*) || ' ' || md5(string_agg(id || ',' || name || ',' || score || ',' || note, ';' ORDER BY id)) FROM t"
same="DIFFERENT (see the assertion above)"
want=$(psql -h "$work" -U postgres -Atc "$sum" c)
mkscn same 1m.csv auto "checks: [{name: same, query: \"$sum\", expect: \"$want\"}]"
"$bin" run "$work/same.yaml" --server "$url" --json --out "$work/out" 2>/dev/null | python3 -c "
import json,sys; d=json.load(sys.stdin); c=d['repetitions'][0]['checks'][0]
assert c['passed'], ('the parallel seed and psql loaded different rows', c)" && same="identical ($want)"

# rehearse's own peak RSS (VmHWM of its process, not of the server it starts), polled
# while it runs, and the heap peak jemalloc reports in the results.
mem() {
  local hwm
  hwm=$(run_polled "$work/mem.json" run "$work/$1.yaml" --server "$url" --json --out "$work/out")
  python3 -c "
import json; d=json.load(open('$work/mem.json')); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='load'][0]
print(s['rows'], s.get('client_memory_peak', 0), $hwm)"
}
streams=$(python3 -c "import os; print(max(1, min(os.cpu_count(), 4)))")
printf "\n%-44s %12s %12s %8s\n" "1M-row CSV (median of $rounds, ms)" "rehearse" "psql \\copy" "speed"
printf "%-44s %12.0f %12.0f %8.2f\n" "seed, one stream / \\copy" "$single" "$pq" "$(echo "$pq / $single" | bc -l)"
printf "%-44s %12.0f %12.0f %8.2f\n" "seed, streams: auto ($streams) / \\copy" "$parallel" "$pq" "$(echo "$pq / $parallel" | bc -l)"
printf "%-44s %12.0f %12.0f %8.2f\n" "seed, one stream, chunk_rows 100000 / \\copy" "$big" "$pq" "$(echo "$pq / $big" | bc -l)"
printf "%-44s %12.0f %12.0f %8.2f\n" "seed as CSV, one stream / \\copy" "$csv1" "$pq" "$(echo "$pq / $csv1" | bc -l)"
printf "%-44s %12.0f %12.0f %8.2f\n" "seed as CSV, streams: auto ($streams) / \\copy" "$csvp" "$pq" "$(echo "$pq / $csvp" | bc -l)"
# Paired: each round's \copy over that round's seed, then the median of those ratios. The
# machine's speed drifts from round to round (\copy alone by up to 1.5x); a round's two
# loads, seconds apart, drift together.
paired() { paste "$work/psql" "$work/$1" | awk '{print $1 / $2}' | median; }
printf "paired (median of each round's ratio): one stream %.2f, streams: auto %.2f, chunk_rows 100000 %.2f, as CSV %.2f / %.2f\n" \
  "$(paired single)" "$(paired parallel)" "$(paired big)" "$(paired csv-single)" "$(paired csv-parallel)"
echo "rounds (ms): one stream $(paste -sd' ' "$work/single"); streams: auto $(paste -sd' ' "$work/parallel"); chunk_rows 100000 $(paste -sd' ' "$work/big"); as CSV $(paste -sd' ' "$work/csv-single") / $(paste -sd' ' "$work/csv-parallel"); \\copy $(paste -sd' ' "$work/psql")"
echo "server CPU per round (ms; whole run, set-up included): $(awk '{a = a sprintf(" %d/%d/%d/%d", $1, $2, $3, $4)} END {print "one stream/auto/chunk_rows 100000/psql" a}' "$work/cpu")"
echo "rows loaded by the parallel seed and by \\copy: $same"
printf "\n%-44s %14s %14s\n" "rehearse memory while seeding" "max RSS" "heap (jemalloc)"
for s in s1m s5m p1m p5m; do
  read -r rows alloc rss <<< "$(mem $s)"
  case $s in s*) how="one stream" ;; *) how="streams: auto" ;; esac
  printf "%-44s %11.1f MB %11.1f MB\n" "$how, $rows rows" "$(echo "$rss/1024" | bc -l)" "$(echo "$alloc/1048576" | bc -l)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
