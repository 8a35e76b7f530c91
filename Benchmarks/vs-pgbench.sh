#!/usr/bin/env bash
# Issue 7's benchmark: rehearse's workload driver against pgbench on the same
# server, the same transactions and the same connection counts, alternating the
# two drivers ROUNDS times and taking the median ratio.
#   throughput: transactions per second, closed model (pgbench -M prepared)
#   agreement:  p50/p95 of rehearse against percentiles computed from pgbench --log
#               (--sampling-rate 0.1: a random tenth of the transactions, so that writing
#               the log does not slow pgbench down; on 2 cores a full log cost it ~15%)
# Usage: Benchmarks/vs-pgbench.sh [rounds=3] [seconds=10]
#   ONLY=tpc-b-like CONNS=1 Benchmarks/vs-pgbench.sh 7 10   re-measures one row with more rounds
# The last column lists every round's ratio, so a noisy row shows as one.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-10}
source Benchmarks/lib.sh
pgbench_setup

run_rehearse() { # scenario connections [pipeline] -> "tps p50 p95"
  local scenario=$1 conns=$2 pipeline=${3:-1} tmp="$work/scn"
  rm -rf "$tmp"; mkdir -p "$tmp"
  sed -e "s/connections: 1/connections: $conns\n      pipeline: $pipeline/" -e "s/duration: 10s/duration: ${seconds}s/" \
    "Benchmarks/scenarios/$scenario.yaml" > "$tmp/s.yaml"
  "$bin" run "$tmp/s.yaml" --server "$url" --json --out "$tmp/out" 2>/dev/null | python3 -c "
import json,sys
d=json.load(sys.stdin); s=[x for x in d['repetitions'][0]['steps'] if x['kind']=='workload'][0]
print(s['batches']/(s['duration_ms']/1000), s['latency_ms']['p50'], s['latency_ms']['p95'])"
}
run_pgbench() { # mode connections -> "tps p50 p95"
  local mode=$1 conns=$2 dir="$work/pgb"
  rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
  local tps
  tps=$("$pgbin/pgbench" $mode -M prepared -n -c "$conns" -j "$conns" -T "$seconds" -l --sampling-rate=0.1 bench 2>/dev/null | awk '/^tps/ {print $3}')
  cat pgbench_log.* | awk '{print $3}' > lat.txt
  echo "$tps $(pct 50 < lat.txt) $(pct 95 < lat.txt)"
  cd - >/dev/null
}

printf "\n%-26s %5s %12s %12s %7s %16s %16s  %s\n" "workload" "conns" "rehearse tps" "pgbench tps" "ratio" "p50 ms rh/pgb" "p95 ms rh/pgb" "rounds"
# The last row pipelines rehearse (pipeline: 8, libpq pipeline mode) against pgbench's
# ordinary -S: pgbench has no equivalent, so its ratio shows what pipelining buys.
for spec in "select-only:-S:pgbench-select:1" "tpc-b-like::pgbench-tpcb:1" "select-only, pipeline 8:-S:pgbench-select:8"; do
  IFS=: read -r label mode scenario pipeline <<< "$spec"
  [ -n "${ONLY:-}" ] && [ "$label" != "$ONLY" ] && continue
  for conns in ${CONNS:-1 2}; do
    : > "$work/ratios"; : > "$work/rh"; : > "$work/pg"
    for r in $(seq "$rounds"); do
      rh=$(run_rehearse "$scenario" "$conns" "$pipeline"); pg=$(run_pgbench "$mode" "$conns")
      echo "$rh" >> "$work/rh"; echo "$pg" >> "$work/pg"
      echo "$(echo "$rh" | cut -d' ' -f1) $(echo "$pg" | cut -d' ' -f1)" | awk '{print $1/$2}' >> "$work/ratios"
    done
    rtps=$(cut -d' ' -f1 "$work/rh" | median); ptps=$(cut -d' ' -f1 "$work/pg" | median)
    r50=$(cut -d' ' -f2 "$work/rh" | median); p50=$(cut -d' ' -f2 "$work/pg" | median)
    r95=$(cut -d' ' -f3 "$work/rh" | median); p95=$(cut -d' ' -f3 "$work/pg" | median)
    printf "%-26s %5d %12.0f %12.0f %7.3f %16s %16s  %s\n" "$label" "$conns" "$rtps" "$ptps" "$(median < "$work/ratios")" \
      "$(printf '%.3f/%.3f' "$r50" "$p50")" "$(printf '%.3f/%.3f' "$r95" "$p95")" \
      "$(awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $1}' "$work/ratios")"
  done
done
echo "(ratio: median over $rounds alternating rounds of rehearse tps / pgbench tps; ${seconds}s each)"
