#!/usr/bin/env bash
# Fuzzes the scenario loader for a fixed budget of mutated files (default 200000):
# no crash, no hang, every error inside the file. Prints how long it ran.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-200000}
seed=${2:-$RANDOM}
swift build --build-tests >/dev/null
start=$(date +%s)
REHEARSE_FUZZ_ITERATIONS=$iterations REHEARSE_FUZZ_SEED=$seed swift test --skip-build --filter LoaderFuzzTests 2>&1 | tail -3
echo "fuzzed $iterations mutated scenarios (seed $seed) in $(( $(date +%s) - start )) s"
