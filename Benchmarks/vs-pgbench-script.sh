#!/usr/bin/env bash
# Issue 20's benchmark: the same pgbench script file run by `pgbench -f FILE -M prepared`
# and by rehearse as a workload transaction (`pgbench: FILE`), same server, same clients,
# same duration, the two drivers alternated ROUNDS times; prints each one's throughput
# (median transactions per second) and the median of the rounds' ratios (goal >= 0.95).
# The scripts are pgbench's own built-in ones, written by the installed pgbench
# (`pgbench --show-script=NAME`); before every run, of either driver, the tables are made
# afresh by `pgbench -i -s 1` and vacuumed, so neither runs on the other's leftovers.
# Usage: Benchmarks/vs-pgbench-script.sh [rounds=3] [seconds=10]
#   SCRIPTS="tpcb-like" CONNS="1" Benchmarks/vs-pgbench-script.sh 5 10   one row, more rounds
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-10}
source Benchmarks/lib.sh
pgbench_setup

for s in tpcb-like simple-update select-only; do "$pgbin/pgbench" --show-script="$s" 2> "$work/$s.sql"; done

run_rehearse() { # script connections -> tps
  local script=$1 conns=$2 dir="$work/scn"
  rm -rf "$dir"; mkdir -p "$dir"; cp "$work/$script.sql" "$dir/"
  cat > "$dir/s.yaml" <<YAML
name: pgbench-script
steps:
  - name: init
    run: ["$pgbin/pgbench", "-i", "-s", "1", "-q", "--no-vacuum"]
  - name: vacuum
    sql: "VACUUM ANALYZE"
  - name: bench
    workload:
      connections: $conns
      duration: ${seconds}s
      transactions:
        - {name: script, pgbench: $script.sql}
YAML
  "$bin" run "$dir/s.yaml" --server "$url" --json --out "$dir/out" 2>/dev/null | python3 -c "
import json,sys
d=json.load(sys.stdin); s=[x for x in d['repetitions'][0]['steps'] if x['name']=='bench'][0]
assert not s['errors'], s['errors']
print(s['batches']/(s['duration_ms']/1000))"
}
run_pgbench() { # script connections -> tps
  local script=$1 conns=$2
  "$pgbin/pgbench" -i -s 1 -q bench >/dev/null 2>&1
  "$pgbin/pgbench" -f "$work/$script.sql" -M prepared -n -c "$conns" -j "$conns" -T "$seconds" bench 2>/dev/null \
    | awk '/^tps/ {print $3}'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "\n%-14s %5s %12s %12s %7s %6s  %s\n" "script" "conns" "rehearse tps" "pgbench tps" "ratio" "load" "rounds"
for script in ${SCRIPTS:-tpcb-like simple-update select-only}; do
  for conns in ${CONNS:-1 2}; do
    : > "$work/ratios"; : > "$work/rh"; : > "$work/pg"
    for r in $(seq "$rounds"); do
      # Alternate which driver goes first, so that a drift of the machine falls on both.
      if [ $((r % 2)) = 1 ]; then
        rh=$(run_rehearse "$script" "$conns"); pg=$(run_pgbench "$script" "$conns")
      else
        pg=$(run_pgbench "$script" "$conns"); rh=$(run_rehearse "$script" "$conns")
      fi
      echo "$rh" >> "$work/rh"; echo "$pg" >> "$work/pg"
      echo "$rh $pg" | awk '{print $1/$2}' >> "$work/ratios"
    done
    printf "%-14s %5d %12.0f %12.0f %7.3f %6s  %s\n" "$script" "$conns" "$(median < "$work/rh")" "$(median < "$work/pg")" \
      "$(median < "$work/ratios")" "$(cut -d' ' -f1 /proc/loadavg)" \
      "$(awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $1}' "$work/ratios")"
  done
done
echo "(ratio: median over $rounds alternating rounds of rehearse tps / pgbench tps; ${seconds}s each, pgbench -M prepared -c C -j C;"
echo " load: the 1-minute load average when the row was done; other work on the machine moves single rounds)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
