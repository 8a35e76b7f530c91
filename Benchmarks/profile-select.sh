#!/usr/bin/env bash
# Instructions per transaction of the select-only workload, counted by callgrind
# (repeatable on a noisy machine), for rehearse and for pgbench -S -M prepared on
# the same server. Each driver runs twice, with N1 and N2 transactions on one
# connection; (I(N2) - I(N1)) / (N2 - N1) removes start-up and set-up costs.
# Only the client process is counted, never the server.
# Usage: Benchmarks/profile-select.sh [n1=2000] [n2=12000]
# Prints the per-transaction figures and rehearse's top functions (inclusive
# share of the N2 run); the callgrind files stay in $PROFILE_OUT (default /tmp/rh-profile).
set -euo pipefail
cd "$(dirname "$0")/.."
n1=${1:-2000}
n2=${2:-12000}
out=${PROFILE_OUT:-/tmp/rh-profile}
rm -rf "$out"; mkdir -p "$out"
swift build -c release >/dev/null
# valgrind 3.19 cannot read Swift 6.3's DWARF 5; symbols are enough for a profile.
strip -g -o "$out/rehearse" .build/release/rehearse
source Benchmarks/lib.sh
start_server
pgbench_tables

total() { awk '/^summary:/ {print $2}' "$1"; }

rehearse_run() { # n [label callgrind-options...]
  local n=$1 label=${2:-rehearse} dir="$work/scn-$1"
  shift 2 || shift $#
  rm -rf "$dir"; mkdir -p "$dir"
  sed -e "s/duration: 10s/iterations: $n/" Benchmarks/scenarios/pgbench-select.yaml > "$dir/s.yaml"
  valgrind --tool=callgrind --callgrind-out-file="$out/$label-$n.cg" "$@" "$out/rehearse" run "$dir/s.yaml" \
    --server "$url" --out "$dir/out" >/dev/null 2>"$out/$label-$n.log"
}
pgbench_run() {
  local n=$1
  valgrind --tool=callgrind --callgrind-out-file="$out/pgbench-$n.cg" "$pgbin/pgbench" -S -M prepared -n -c 1 -t "$n" bench \
    >/dev/null 2>"$out/pgbench-$n.log"
}
for n in "$n1" "$n2"; do
  rehearse_run "$n" rehearse
  # Only what runs inside a workload connection's loop (libpq calls included).
  rehearse_run "$n" lane "--toggle-collect=*Workload*runLane*"
  pgbench_run "$n"
done
per() { echo $(( ($(total "$out/$1-$n2.cg") - $(total "$out/$1-$n1.cg")) / (n2 - n1) )); }
rh=$(per rehearse); lane=$(per lane); pg=$(per pgbench)
printf "\ninstructions per select-only transaction (client process only, callgrind)\n"
printf "  rehearse, whole process       %8d\n" "$rh"
printf "  rehearse, workload loop only  %8d\n" "$lane"
printf "  pgbench -S -M prepared        %8d\n" "$pg"
printf "  ratio rehearse/pgbench        %8.2f (whole process), %.2f (loop)\n" \
  "$(echo "$rh $pg" | awk '{print $1/$2}')" "$(echo "$lane $pg" | awk '{print $1/$2}')"
printf "\nper transaction inside the workload loop, by function (self instructions, N2 minus N1 run)\n"
python3 - "$out/lane-$n1.cg" "$out/lane-$n2.cg" $((n2 - n1)) <<'PY'
import re, subprocess, sys
def load(path):
    text = subprocess.run(["callgrind_annotate", "--threshold=100", path], capture_output=True, text=True).stdout
    costs = {}
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*)", line)
        if m and "PROGRAM TOTALS" not in line:
            costs[m.group(2)] = costs.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
    return costs
a, b, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
rows = sorted(((b.get(k, 0) - a.get(k, 0)) / n, k) for k in set(a) | set(b))[::-1][:25]
names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(k for _, k in rows),
                       capture_output=True, text=True).stdout.splitlines()
for (cost, _), name in zip(rows, names):
    print(f"  {cost:8.0f}  {re.sub(r'^[?./a-z_-]*:', '', name)[:120]}")
PY
