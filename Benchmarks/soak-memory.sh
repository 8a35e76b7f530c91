#!/usr/bin/env bash
# rehearse's own memory during a long foreground workload: pgbench's select-only
# transaction on 2 connections, closed model, as fast as the server goes, for a
# quarter of SECONDS and for SECONDS. A driver that kept something per transaction
# would grow with the transactions; rehearse's timeline keeps a few KB per second.
#   peak RSS: VmHWM of rehearse's process, polled; heap: jemalloc's peak in the results
#   growth:   extra peak RSS per extra transaction between the two runs
# With BACKGROUND=1 the workload is background traffic beside a deploy step of that
# length (a migration that sleeps), as an application's would be.
# Usage: [BACKGROUND=1] Benchmarks/soak-memory.sh [seconds=60]   (REHEARSE_BIN=... to measure another build)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
source Benchmarks/lib.sh
pgbench_setup

soak() { # seconds -> "transactions rss_kb heap_bytes"
  local f="$work/soak-$1.yaml"
  if [ "${BACKGROUND:-0}" = 1 ]; then
    sed -e 's/connections: 1/connections: 2/' -e '/duration: 10s/d' \
      -e 's/  - name: select$/  - name: select\n    background: true\n    until: deploy/' \
      Benchmarks/scenarios/pgbench-select.yaml > "$f"
    printf '  - name: deploy\n    sql: "SELECT pg_sleep(%s)"\n' "$1" >> "$f"
  else
    sed -e 's/connections: 1/connections: 2/' -e "s/duration: 10s/duration: ${1}s/" \
      Benchmarks/scenarios/pgbench-select.yaml > "$f"
  fi
  local hwm
  hwm=$(run_polled "$work/soak.json" run "$f" --server "$url" --json --out "$work/out")
  python3 -c "
import json; d=json.load(open('$work/soak.json')); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='select'][0]
print(s['batches'], $hwm, s.get('client_memory_peak', 0))"
}
short=$((seconds / 4))
read -r tx1 rss1 heap1 <<< "$(soak "$short")"
read -r tx2 rss2 heap2 <<< "$(soak "$seconds")"
printf "\n%-28s %14s %14s %14s\n" "select-only, 2 connections$([ "${BACKGROUND:-0}" = 1 ] && echo ", background")" "transactions" "peak RSS" "heap peak"
printf "%-28s %14d %11.1f MB %11.1f MB\n" "${short} s" "$tx1" "$(echo "$rss1/1024" | bc -l)" "$(echo "$heap1/1048576" | bc -l)"
printf "%-28s %14d %11.1f MB %11.1f MB\n" "${seconds} s" "$tx2" "$(echo "$rss2/1024" | bc -l)" "$(echo "$heap2/1048576" | bc -l)"
printf "growth: %.2f bytes of peak RSS per extra transaction\n" "$(echo "($rss2 - $rss1) * 1024 / ($tx2 - $tx1)" | bc -l)"
