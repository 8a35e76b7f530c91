#!/usr/bin/env bash
# Issue 7's open-model benchmark. At a fixed `rate`, does rehearse keep the schedule,
# and does a stall of the server show in its percentiles as pgbench --rate shows it?
#   schedule: select-only at RATE on 1 and 2 connections for SECONDS; the achieved rate
#             (transactions over the step's measured duration) against the target, and
#             how late transactions were sent (lag p99), beside pgbench -R on the same server
#   stall:    1000/s on one connection for 8 s while another session holds ACCESS
#             EXCLUSIVE on pgbench_accounts from 3 s to 4 s; latency percentiles of both
#             drivers, measured from each transaction's scheduled time
# Usage: Benchmarks/open-model.sh [rounds=3] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-10}
source Benchmarks/lib.sh
pgbench_setup

scenario() { # rate connections seconds [stall] -> scenario file
  local f="$work/open-$1-$2-$3${4:+-stall}.yaml"
  cat > "$f" <<YAML
name: open-model
steps:
  - {name: init, run: ["$pgbin/pgbench", "-i", "-s", "1", "-q", "--no-vacuum"]}
  - {name: vacuum, sql: "VACUUM ANALYZE"}
  - name: select
    workload:
      connections: $2
      rate: $1/s
      duration: ${3}s
      transactions:
        - name: select_only
          sql: "SELECT abalance FROM pgbench_accounts WHERE aid = \$1"
          params: [{random_int: [1, 100000]}]
YAML
  if [ -n "${4:-}" ]; then
    printf 'faults:\n  - lock: {table: pgbench_accounts, mode: access_exclusive, during: select, after: 3s, hold: 1s}\n' >> "$f"
  fi
  echo "$f"
}
run_rehearse() { # scenario -> "achieved_tps lag_p99 p50 p95 p99 max batches"
  "$bin" run "$1" --server "$url" --json --out "$work/out" 2>/dev/null | python3 -c "
import json,sys
d=json.load(sys.stdin); s=[x for x in d['repetitions'][0]['steps'] if x['kind']=='workload'][0]
l=s['latency_ms']; lag=s.get('lag_ms') or {'p99': 0}
print(s['batches']/(s['duration_ms']/1000), lag['p99'], l['p50'], l['p95'], l['p99'], l['max'], s['batches'])"
}
run_pgbench() { # rate connections seconds [stall] -> same fields
  local dir="$work/pgb"; rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
  if [ -n "${4:-}" ]; then
    (sleep 3; psql -qc "BEGIN; LOCK TABLE pgbench_accounts IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(1); COMMIT" bench >/dev/null) &
  fi
  local tps
  tps=$("$pgbin/pgbench" -S -M prepared -n -c "$2" -j "$2" -R "$1" -T "$3" -l bench 2>/dev/null | awk '/^tps/ {print $3}')
  wait
  # With --rate, pgbench logs each transaction's latency from its scheduled start
  # (column 3) and its schedule lag (column 7).
  cat pgbench_log.* > all.txt
  echo "$tps $(awk '{print $7}' all.txt | pct 99) $(awk '{print $3}' all.txt | pct 50) $(awk '{print $3}' all.txt | pct 95)" \
    "$(awk '{print $3}' all.txt | pct 99) $(awk '{print $3}' all.txt | pct 100) $(wc -l < all.txt)"
  cd - >/dev/null
}

printf "\nschedule: median of %d alternating rounds, %ss each\n" "$rounds" "$seconds"
printf "%-6s %5s | %12s %9s %11s | %12s %9s %11s\n" "rate" "conns" "rehearse tps" "achieved" "lag p99 ms" "pgbench tps" "achieved" "lag p99 ms"
for spec in "1000 1" "5000 2"; do
  read -r rate conns <<< "$spec"
  f=$(scenario "$rate" "$conns" "$seconds")
  : > "$work/rh"; : > "$work/pg"
  for r in $(seq "$rounds"); do
    run_rehearse "$f" >> "$work/rh"
    run_pgbench "$rate" "$conns" "$seconds" >> "$work/pg"
  done
  rt=$(cut -d' ' -f1 "$work/rh" | median); rl=$(cut -d' ' -f2 "$work/rh" | median)
  pt=$(cut -d' ' -f1 "$work/pg" | median); pl=$(cut -d' ' -f2 "$work/pg" | median)
  printf "%-6s %5s | %12.1f %8.2f%% %11.3f | %12.1f %8.2f%% %11.3f\n" "$rate/s" "$conns" \
    "$rt" "$(echo "$rt $rate" | awk '{print 100*$1/$2}')" "$rl" "$pt" "$(echo "$pt $rate" | awk '{print 100*$1/$2}')" "$pl"
done

printf "\nstall: 1000/s on 1 connection for 8 s, ACCESS EXCLUSIVE held from 3 s to 4 s (median of %d rounds)\n" "$rounds"
f=$(scenario 1000 1 8 stall)
: > "$work/rh"; : > "$work/pg"
for r in $(seq "$rounds"); do
  run_rehearse "$f" >> "$work/rh"
  run_pgbench 1000 1 8 stall >> "$work/pg"
done
printf "%-9s %9s %9s %9s %9s %9s\n" "driver" "p50 ms" "p95 ms" "p99 ms" "max ms" "batches"
for who in rh pg; do
  printf "%-9s %9.2f %9.2f %9.2f %9.2f %9.0f\n" "$([ $who = rh ] && echo rehearse || echo pgbench)" \
    "$(cut -d' ' -f3 "$work/$who" | median)" "$(cut -d' ' -f4 "$work/$who" | median)" \
    "$(cut -d' ' -f5 "$work/$who" | median)" "$(cut -d' ' -f6 "$work/$who" | median)" "$(cut -d' ' -f7 "$work/$who" | median)"
done
