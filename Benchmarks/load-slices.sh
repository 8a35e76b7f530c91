#!/usr/bin/env bash
# Issue 18: one workload driven by one process, then by N load slices side by side
# (`run --load-slice I/N --run-id …`) against the same by-hand server, the slices merged.
# Prints each way's transactions, the workload's duration, throughput and p99, and the spread
# of the slices' start times.
# Usage: Benchmarks/load-slices.sh [slices=2] [iterations=40000]
#   REHEARSE_BIN=.build/debug/rehearse to skip the release build
set -euo pipefail
cd "$(dirname "$0")/.."
slices=${1:-2}
iterations=${2:-40000}
source Benchmarks/lib.sh
build_rehearse
start_server
cat >"$work/sliced.yaml" <<YAML
name: sliced
steps:
  - name: schema
    sql: "CREATE TABLE items (id int PRIMARY KEY, n int); INSERT INTO items SELECT g, g FROM generate_series(1, 10000) g"
  - name: traffic
    workload:
      connections: 8
      iterations: $iterations
      transactions:
        - name: read
          sql: "SELECT n FROM items WHERE id = \$1"
          params: [{random_int: [1, 10000]}]
YAML

# summary DIR: transactions, duration ms, throughput/s, p99 ms, start spread ms of the traffic step.
summary() {
  python3 - "$1" <<'PY'
import json, pathlib, sys
d = json.loads(next(pathlib.Path(sys.argv[1]).rglob("*.json")).read_text())
step = next(s for s in d["repetitions"][0]["steps"] if s["name"] == "traffic")
print(step["batches"], round(step["duration_ms"]), round(step["batches"] / step["duration_ms"] * 1000), step["latency_ms"]["p99"])
PY
}
starts() {
  python3 - "$1" <<'PY'
import json, pathlib, sys
from datetime import datetime
t = [datetime.fromisoformat(s["started_at"].replace("Z", "+00:00"))
     for f in pathlib.Path(sys.argv[1]).rglob("*.json") for s in json.loads(f.read_text())["repetitions"][0]["steps"]
     if s["name"] == "traffic" and s.get("started_at")]
print(round((max(t) - min(t)).total_seconds() * 1000, 1) if t else "-")
PY
}

"$bin" run "$work/sliced.yaml" --server "$url" --out "$work/one" >/dev/null 2>&1
read -r n ms rate p99 < <(summary "$work/one")
printf "%-12s %8s %8s %10s %8s %10s\n" way transactions "ms" "tx/s" "p99 ms" "start ms"
printf "%-12s %8s %8s %10s %8s %10s\n" "1 process" "$n" "$ms" "$rate" "$p99" "-"
pids=()
for i in $(seq "$slices"); do
  "$bin" run "$work/sliced.yaml" --server "$url" --load-slice "$i/$slices" --run-id bench --out "$work/slices" >"$work/slice-$i.log" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
"$bin" merge "$work/slices" --out "$work/merged" >/dev/null 2>&1
read -r n ms rate p99 < <(summary "$work/merged")
printf "%-12s %8s %8s %10s %8s %10s\n" "$slices slices" "$n" "$ms" "$rate" "$p99" "$(starts "$work/slices")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
