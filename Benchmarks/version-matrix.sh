#!/usr/bin/env bash
# Issue 19's measurement: what a version matrix costs. The same scenario
# (Benchmarks/scenarios/version-matrix-cost.yaml: 100,000 rows, a migration, a backfill,
# 3 repetitions; nothing in it differs by version) on one major and on three, alternated,
# median of N rounds each, wall time of the whole `rehearse run`. The pristine cluster of
# each major is made once before the rounds, as a suite's second run finds it.
# Usage: Benchmarks/version-matrix.sh [rounds] [one-major] [three-majors]   (defaults 5 15 15,16,18)
# Majors other than the installed ones come from scripts/fetch-pg-wheels.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh
rounds=${1:-5}
one=${2:-15}
three=${3:-15,16,18}
build_rehearse
pgbins=()
for dir in $(scripts/fetch-pg-wheels.sh); do pgbins+=(--pg-bin "$dir"); done
scenario=Benchmarks/scenarios/version-matrix-cost.yaml
now_ms() { date +%s%N | awk '{printf "%.0f", $1/1e6}'; }
timed() {
  local t0; t0=$(now_ms)
  "$bin" run "$scenario" --out "$work/results" --pg "$1" "${pgbins[@]}" >/dev/null 2>&1 || { echo "run --pg $1 failed" >&2; exit 1; }
  echo $(($(now_ms) - t0))
}
timed "$three" >/dev/null   # pristine caches
: >"$work/one"; : >"$work/three"
for _ in $(seq "$rounds"); do
  timed "$one" >>"$work/one"
  timed "$three" >>"$work/three"
done
a=$(median <"$work/one"); b=$(median <"$work/three")
echo "one major ($one):     $a ms (median of $rounds)"
echo "three majors ($three): $b ms (median of $rounds)"
awk -v a="$a" -v b="$b" 'BEGIN {printf "ratio: %.2fx\n", b / a}'
