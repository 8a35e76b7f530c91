#!/usr/bin/env bash
# Issue 21: where a seed's time goes. For each configuration (STREAMS[:CHUNK_ROWS], or
# `psql` for psql's \copy of the same file), alternating ROUNDS times on one server: the
# load's wall time, the client's CPU (/usr/bin/time: rehearse's whole process, start-up
# included) and the server's CPU (its backends' user + system time, counted in the
# postmaster once they exit); then the medians, and the server's busy share (server CPU
# over wall time: 1.0 per stream means its backends never waited for the client).
# Usage: [PGBIN=…/bin] [ROUNDS=5] Benchmarks/seed-cpu.sh 1 2 1:100000 psql
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
source Benchmarks/lib.sh
build_rehearse
python3 -c "
n=1000000; w=open('$work/1m.csv','w').write
w('id,name,score,note\n')
for i in range(1, n+1): w(f'{i},\"name {i}, the {i%7}th\",{i%1000},note-{i:012d}\n')"
schema="CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL, score int, note text)"
echo "$("$pgbin/postgres" --version), load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
start_server
server_cpu() { awk '{print ($16 + $17) * 10}' "/proc/$(head -1 "$work/data/postmaster.pid")/stat"; }
configs=("$@"); [ ${#configs[@]} -gt 0 ] || configs=(1 2 psql)
: > "$work/rows"
for round in $(seq "$rounds"); do
  for cfg in "${configs[@]}"; do
    if [ "$cfg" = psql ]; then
      psql -qc 'DROP DATABASE IF EXISTS c' -c 'CREATE DATABASE c' postgres 2>/dev/null
      psql -qc "$schema" c
      c0=$(server_cpu); t0=$(date +%s%N)
      /usr/bin/time -f "%U %S" -o "$work/t" psql -qc "\\copy t (id, name, score, note) FROM '$work/1m.csv' WITH (FORMAT csv, HEADER true)" c
      t1=$(date +%s%N); sleep 0.3; c1=$(server_cpu)
      wall=$(((t1 - t0) / 1000000))
    else
      streams=${cfg%%:*}; chunk=${cfg#*:}; [ "$chunk" = "$cfg" ] && chunk=10000
      cat > "$work/s.yaml" <<YAML
name: seedx
steps:
  - {name: schema, sql: "$schema"}
  - name: load
    seed: [{table: t, csv: 1m.csv, streams: $streams, chunk_rows: $chunk}]
YAML
      c0=$(server_cpu)
      /usr/bin/time -f "%U %S" -o "$work/t" "$bin" run "$work/s.yaml" --server "$url" --json --out "$work/out" > "$work/o.json" 2>/dev/null
      sleep 0.3; c1=$(server_cpu)
      wall=$(python3 -c "
import json; d=json.load(open('$work/o.json')); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='load'][0]
assert s['status']=='ok' and s['rows']==1000000, (s['status'], s['rows'], s.get('error')); print(round(s['duration_ms']))")
    fi
    client=$(awk '{print int(($1 + $2) * 1000)}' "$work/t")
    echo "$cfg $wall $client $((c1 - c0))" | tee -a "$work/rows"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "\n%-14s %10s %12s %12s %10s %8s\n" "median of $rounds" "wall ms" "client CPU" "server CPU" "srv busy" "speed"
pq=$(awk '$1 == "psql" {print $2}' "$work/rows" | median)
for cfg in "${configs[@]}"; do
  w=$(awk -v c="$cfg" '$1 == c {print $2}' "$work/rows" | median)
  cl=$(awk -v c="$cfg" '$1 == c {print $3}' "$work/rows" | median)
  sv=$(awk -v c="$cfg" '$1 == c {print $4}' "$work/rows" | median)
  speed=-; [ -n "$pq" ] && speed=$(echo "$pq / $w" | bc -l | xargs printf "%.2f")
  printf "%-14s %10.0f %12.0f %12.0f %10.2f %8s\n" "$cfg" "$w" "$cl" "$sv" "$(echo "$sv / $w" | bc -l)" "$speed"
done
