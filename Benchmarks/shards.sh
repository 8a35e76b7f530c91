#!/usr/bin/env bash
# Issue 18: the example suite (scenarios/, 12 scenarios) run whole, then as 2 and as 4 shards
# side by side on this machine (processes at once, each with its own embedded servers), the
# shards merged. Prints each way's wall time and whether every scenario's merged verdict,
# expectation and failing checks per repetition equal the whole run's.
# Usage: Benchmarks/shards.sh [repeat=2]     REHEARSE_BIN=.build/debug/rehearse to skip the release build
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-2}
source Benchmarks/lib.sh
build_rehearse

# outcome DIR: one line per scenario: verdict, expectation met, failing checks of each repetition.
outcome() {
  python3 - "$1" <<'PY'
import json, pathlib, sys
for f in sorted(pathlib.Path(sys.argv[1]).rglob("*.json")):
    d = json.loads(f.read_text())
    checks = [",".join(sorted(c["name"] for c in r["checks"] if not c["passed"])) for r in d["repetitions"]]
    print(d["scenario"]["name"], d["verdict"], "met" if d["expectation"]["met"] else "NOT-met", "|".join(checks))
PY
}

now() { date +%s.%N; }
start=$(now)
set +e
"$bin" run scenarios/ --repeat "$repeat" --out "$work/whole" >"$work/whole.log" 2>&1
whole_code=$?
set -e
whole_s=$(echo "$(now) - $start" | bc)
outcome "$work/whole" | sort >"$work/whole.txt"
printf "%-8s %8s %6s %s\n" shards "wall s" exit "merged = whole"
printf "%-8s %8.1f %6s %s\n" 1 "$whole_s" "$whole_code" "(the reference: $(wc -l <"$work/whole.txt") scenarios)"
for n in 2 4; do
  start=$(now)
  pids=()
  for i in $(seq "$n"); do
    "$bin" run scenarios/ --repeat "$repeat" --shard "$i/$n" --out "$work/shards-$n/$i" >"$work/shard-$n-$i.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  set +e
  "$bin" merge "$work/shards-$n" --out "$work/merged-$n" >"$work/merge-$n.log" 2>&1
  code=$?
  set -e
  wall=$(echo "$(now) - $start" | bc)
  outcome "$work/merged-$n" | sort >"$work/merged-$n.txt"
  if cmp -s "$work/whole.txt" "$work/merged-$n.txt" && [ "$code" = "$whole_code" ]; then same=yes; else same=NO; fi
  printf "%-8s %8.1f %6s %s\n" "$n" "$wall" "$code" "$same"
  [ "$same" = yes ] || diff "$work/whole.txt" "$work/merged-$n.txt" || true
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
