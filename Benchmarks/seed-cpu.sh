#!/usr/bin/env bash
# Issue 21: where a seed's time goes. For each configuration (STREAMS[:CHUNK_ROWS], or
# `psql` for psql's \copy of the same file), alternating ROUNDS times on one server: the
# load's wall time, the client's CPU (/usr/bin/time: rehearse's whole process, start-up
# included) and the server's CPU (its backends' user + system time, counted in the
# postmaster once they exit) and, for the backends that loaded (Benchmarks/backend-time.py),
# how long they ran, waited for a core (run queue: other work on the machine) and slept
# (waiting for the client, a lock or I/O), and how often they slept; then the medians
# (ms; speed is \copy's wall time over the configuration's). A PostgreSQL 18 server
# also does I/O in io worker processes, whose CPU the server column does not count.
# Usage: [PGBIN=…/bin] [ROUNDS=5] [BACKEND_TIME=1] Benchmarks/seed-cpu.sh 1 2 1:100000 psql
# A configuration written base/STREAMS[:CHUNK_ROWS] runs $BASE_BIN, another build, to compare.
# SCHEMA="CREATE TABLE t (…)" loads another table (the columns id, name, score, note).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
source Benchmarks/lib.sh
build_rehearse
python3 -c "
n=1000000; w=open('$work/1m.csv','w').write
w('id,name,score,note\n')
for i in range(1, n+1): w(f'{i},\"name {i}, the {i%7}th\",{i%1000},note-{i:012d}\n')"
schema=${SCHEMA:-"CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL, score int, note text)"}
echo "$("$pgbin/postgres" --version), load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
start_server
server_cpu() { awk '{print ($16 + $17) * 10}' "/proc/$(head -1 "$work/data/postmaster.pid")/stat"; }
# BACKEND_TIME=1: also where the loading backends' time went (Benchmarks/backend-time.py, which
# polls /proc every 10 ms: on 2 cores that costs the loads some CPU, so it is off by default).
timed=; [ -n "${BACKEND_TIME:-}" ] && timed="Benchmarks/backend-time.py $work/data/postmaster.pid"
configs=("$@"); [ ${#configs[@]} -gt 0 ] || configs=(1 2 psql)
: > "$work/rows"
for round in $(seq "$rounds"); do
  for cfg in "${configs[@]}"; do
    if [ "$cfg" = psql ]; then
      # Its server CPU counts a database made and dropped, and the table made, as rehearse's does.
      c0=$(server_cpu)
      psql -qc 'CREATE DATABASE c' postgres
      psql -qc "$schema" c
      bt=$($timed /usr/bin/time -f "%U %S %e" -o "$work/t" psql -qc "\\copy t (id, name, score, note) FROM '$work/1m.csv' WITH (FORMAT csv, HEADER true)" c)
      psql -qc 'DROP DATABASE c' postgres
      sleep 0.3; c1=$(server_cpu)
      wall=$(awk '{print int($3 * 1000)}' "$work/t")
    else
      run=$bin; c=$cfg
      if [ "${cfg#base/}" != "$cfg" ]; then run=$BASE_BIN; c=${cfg#base/}; fi
      streams=${c%%:*}; chunk=${c#*:}; [ "$chunk" = "$c" ] && chunk=10000
      cat > "$work/s.yaml" <<YAML
name: seedx
steps:
  - {name: schema, sql: "$schema"}
  - name: load
    seed: [{table: t, csv: 1m.csv, streams: $streams, chunk_rows: $chunk}]
YAML
      c0=$(server_cpu)
      bt=$($timed /usr/bin/time -f "%U %S" -o "$work/t" \
        sh -c '"$0" run "$1" --server "$2" --json --out "$3" > "$4"' "$run" "$work/s.yaml" "$url" "$work/out" "$work/o.json")
      sleep 0.3; c1=$(server_cpu)
      wall=$(python3 -c "
import json; d=json.load(open('$work/o.json')); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='load'][0]
assert s['status']=='ok' and s['rows']==1000000, (s['status'], s['rows'], s.get('error')); print(round(s['duration_ms']))")
    fi
    client=$(awk '{print int(($1 + $2) * 1000)}' "$work/t")
    echo "$cfg $wall $client $((c1 - c0)) $bt" | tee -a "$work/rows"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "\n%-14s %8s %8s %8s %8s %8s %8s %8s %6s\n" "median of $rounds" "wall" "client" "server" "running" "runq" "asleep" "sleeps" "speed"
pq=$(awk '$1 == "psql" {print $2}' "$work/rows" | median)
for cfg in "${configs[@]}"; do
  w=$(awk -v c="$cfg" '$1 == c {print $2}' "$work/rows" | median)
  cl=$(awk -v c="$cfg" '$1 == c {print $3}' "$work/rows" | median)
  sv=$(awk -v c="$cfg" '$1 == c {print $4}' "$work/rows" | median)
  speed=-; [ -n "$pq" ] && [ "$pq" != 0 ] && speed=$(echo "$pq / $w" | bc -l | xargs printf "%.2f")
  m() { awk -v c="$cfg" -v f="$1" '$1 == c {print $f}' "$work/rows" | median; }
  printf "%-14s %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %6s\n" "$cfg" "$w" "$cl" "$sv" "$(m 5)" "$(m 6)" "$(m 7)" "$(m 8)" "$speed"
done
