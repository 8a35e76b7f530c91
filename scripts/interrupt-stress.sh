#!/usr/bin/env bash
# Interrupts `rehearse run` at random points many times (SIGINT or SIGTERM, during
# server start, steps, held locks, background traffic) and counts what was left behind:
# run folders, postgres processes, exit codes other than 130/143. It must be nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-30}
swift build >/dev/null
bin=$PWD/.build/debug/rehearse
runs=$(mktemp -d /tmp/rh-stress-XXXXXX)
trap 'rm -rf "$runs"' EXIT
bad=0
for i in $(seq "$rounds"); do
  scenario=$(ls scenarios/*.yaml | shuf -n 1)
  sig=$([ $((RANDOM % 2)) = 0 ] && echo INT || echo TERM)
  delay=$(awk -v r=$RANDOM 'BEGIN {printf "%.2f", (r % 300) / 100}')
  REHEARSE_RUN_DIR="$runs" "$bin" run "$scenario" --out "$runs/results" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -s "$sig" "$pid" 2>/dev/null || true
  set +e; wait "$pid"; code=$?; set -e
  left=$(ls "$runs" | grep -c '^rehearse-' || true)
  alive=$( (pgrep -f "$runs/rehearse-" || true) | wc -l)
  if [ "$left" != 0 ] || [ "$alive" != 0 ] || { [ "$code" != 130 ] && [ "$code" != 143 ] && [ "$code" != 0 ] && [ "$code" != 1 ]; }; then
    echo "round $i: $scenario SIG$sig after ${delay}s: exit $code, $left folders, $alive processes left"
    bad=$((bad + 1))
  fi
done
echo "$rounds interrupted runs, $bad left something behind or exited oddly"
[ "$bad" = 0 ]
