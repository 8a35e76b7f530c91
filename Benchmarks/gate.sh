#!/usr/bin/env bash
# Issue 22: how far the regression gate can be trusted, measured with `rehearse ab` at 5
# repetitions per side (the default of the README's CI recipe is 5 too).
#   false alarms: PAIRS A/A runs of the example suite (scenarios/ against itself); every
#                 regressed finding is a false alarm, and so is every exit 1
#   detection:    a CPU-bound step (Benchmarks/scenarios/gate-cpu.yaml.in) and a lock-bound
#                 step (gate-lock.yaml.in) made 10%, 25% and 50% slower in CURRENT, ROUNDS
#                 times each: caught when that step, and only it, is regressed
# Usage: Benchmarks/gate.sh [pairs=10] [rounds=5]
#   SUITE=scenarios/quickstart.yaml Benchmarks/gate.sh 3 3   a quicker, smaller A/A
#   KEEP=DIR keeps every ab run's documents (DIR/aa-1/base, …), to judge them again with compare
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-10}
rounds=${2:-5}
suite=${SUITE:-scenarios}
source Benchmarks/lib.sh
build_rehearse

# findings FILE: "exit regressed-steps" of an ab run's JSON.
regressed() {
  python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
print(' '.join(s['scenario']+'/'+f['step'] for s in d['scenarios'] for f in s['findings'] if f['verdict']=='regressed') or '-')" "$1"
}

echo "A/A: $suite against itself, $pairs pairs, 5 repetitions per side"
alarms=0 failed=0
for i in $(seq "$pairs"); do
  keep=(); [ -n "${KEEP:-}" ] && keep=(--out "$KEEP/aa-$i")
  set +e; "$bin" ab "$suite" "$suite" --repeat 5 --format json "${keep[@]}" > "$work/aa.json" 2>"$work/aa.err"; status=$?; set -e
  [ "$status" -gt 1 ] && { cat "$work/aa.err"; exit "$status"; }
  found=$(regressed "$work/aa.json")
  [ "$status" = 1 ] && failed=$((failed + 1))
  [ "$found" != "-" ] && alarms=$((alarms + $(wc -w <<<"$found")))
  echo "  pair $i: exit $status, regressed: $found"
  [ "$found" != "-" ] && python3 -c "
import json,sys
for s in json.load(open(sys.argv[1]))['scenarios']:
    for f in s['findings']:
        if f['verdict'] == 'regressed': print('    ' + s['scenario'] + '/' + f['step'] + ': ' + f['reason'])" "$work/aa.json"
done
echo "A/A: $failed of $pairs pairs failed the gate; $alarms false regressed findings"

# inject KIND PERCENT: rounds of BASE against CURRENT made PERCENT% slower.
inject() {
  local kind=$1 percent=$2 caught=0 other=0
  for r in $(seq "$rounds"); do
    rm -rf "$work/base" "$work/current"; mkdir -p "$work/base" "$work/current"
    if [ "$kind" = cpu ]; then
      local rows=2000000 step=crunch
      sed "s/@ROWS@/$rows/" Benchmarks/scenarios/gate-cpu.yaml.in > "$work/base/gate.yaml"
      sed "s/@ROWS@/$((rows * (100 + percent) / 100))/" Benchmarks/scenarios/gate-cpu.yaml.in > "$work/current/gate.yaml"
    else
      local hold=200 step=migrate
      sed "s/@HOLD@/$hold/" Benchmarks/scenarios/gate-lock.yaml.in > "$work/base/gate.yaml"
      sed "s/@HOLD@/$((hold * (100 + percent) / 100))/" Benchmarks/scenarios/gate-lock.yaml.in > "$work/current/gate.yaml"
    fi
    keep=(); [ -n "${KEEP:-}" ] && keep=(--out "$KEEP/$kind-$percent-$r")
    set +e; "$bin" ab "$work/base" "$work/current" --repeat 5 --format json "${keep[@]}" > "$work/ab.json" 2>"$work/ab.err"; status=$?; set -e
    [ "$status" -gt 1 ] && { cat "$work/ab.err"; exit "$status"; }
    found=$(regressed "$work/ab.json")
    [ "$found" = "gate-$kind/$step" ] && caught=$((caught + 1))
    for f in $found; do [ "$f" != "gate-$kind/$step" ] && [ "$f" != "-" ] && other=$((other + 1)); done
  done
  printf '| %-4s | +%s%% | %d of %d | %d |\n' "$kind" "$percent" "$caught" "$rounds" "$other"
}

echo
echo "| step | slowdown | caught (that step alone) | other steps regressed |"
echo "|---|---:|---:|---:|"
for kind in cpu lock; do
  for percent in ${SLOWDOWNS:-10 25 50}; do inject "$kind" "$percent"; done
done
