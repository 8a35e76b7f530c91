#!/usr/bin/env bash
# Issue 23's speed goal: `rehearse lint` answers every hostile file (absurd numbers, alias
# bombs: Tests/RehearseUnitTests/Fixtures/hostile) in about the time it takes on an ordinary
# scenario. Prints, per file, the median wall time of ROUNDS runs and its ratio to the
# ordinary one (scenarios/quickstart.yaml); before the fix, the alias bombs took 14-24 s
# and the absurd numbers trapped (exit 132).
# Usage: Benchmarks/hostile-lint.sh [rounds=5]   (REHEARSE_BIN=path to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
source Benchmarks/lib.sh
build_rehearse
ms() {  # ms FILE: median milliseconds of `lint FILE` over $rounds runs
  for _ in $(seq "$rounds"); do
    local start end
    start=$(date +%s%N)
    timeout 60 "$bin" lint "$1" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
  done | median | awk '{printf "%.1f", $1 / 1000}'
}
ordinary=$(ms scenarios/quickstart.yaml)
printf '%-34s %9s %7s\n' file ms ratio
printf '%-34s %9s %7s\n' quickstart.yaml "$ordinary" 1.0
for f in Tests/RehearseUnitTests/Fixtures/hostile/*.yaml; do
  t=$(ms "$f")
  printf '%-34s %9s %7.1f\n' "$(basename "$f")" "$t" "$(echo "$t / $ordinary" | bc -l)"
done
