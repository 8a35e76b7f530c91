#!/usr/bin/env bash
# Issue 14's benchmark: what proving a rollback costs on pagila. A `snapshot` step
# (the catalog fingerprint and every table's data checksum) on pagila's schema and
# data, this build against another (by default the commit before the fingerprint
# covered everything pg_dump --schema-only shows), alternating ROUNDS times on the
# same server, side by side as a ratio.
# Usage: Benchmarks/fingerprint-pagila.sh [rounds=5] [base-ref=baa2ddc]
# REHEARSE_BIN and BASE_BIN name builds to use instead of building them.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
base_ref=${2:-baa2ddc}
source Benchmarks/lib.sh
build_rehearse
if [ -z "${BASE_BIN:-}" ]; then
  mkdir "$work/base"
  git archive "$base_ref" | tar -x -C "$work/base"
  (cd "$work/base" && swift build -c release --product rehearse >/dev/null)
  BASE_BIN=$work/base/.build/release/rehearse
fi
pagila=${REHEARSE_PAGILA_DIR:-}
for dir in "$pagila" ../pagila /work/shared/data/pagila; do
  [ -n "$dir" ] && [ -f "$dir/pagila-schema.sql" ] && { pagila=$(cd "$dir" && pwd); break; }
done
[ -f "$pagila/pagila-schema.sql" ] || { echo "pagila not found: set REHEARSE_PAGILA_DIR" >&2; exit 2; }

# with-data: pagila's schema and data; schema-only: its schema, where the fingerprint
# is most of the step (the checksum reads empty tables).
scenario() {
  cat > "$work/$1.yaml" <<YAML
name: fingerprint-pagila-$1
steps:
  - {name: schema, sql: {file: $pagila/pagila-schema.sql}}
$2
  - snapshot: first
  - snapshot: second
  - snapshot: third
YAML
}
scenario with-data "  - {name: data, sql: {file: $pagila/pagila-data.sql}}"
scenario schema-only ""

start_server
# snapshot_ms BIN SCENARIO: the median of the three snapshot steps of one run, in ms.
snapshot_ms() {
  "$1" run "$work/$2.yaml" --server "$url" --json --out "$work/out" 2>/dev/null | python3 -c "
import json, statistics, sys
d = json.load(sys.stdin)
steps = [s for s in d['repetitions'][0]['steps'] if s['name'].startswith('snapshot')]
assert len(steps) == 3 and all(s['status'] == 'ok' for s in steps), steps
print(statistics.median(s['duration_ms'] for s in steps))"
}
printf "\n%-44s %10s %10s %8s\n" "pagila snapshot step (median of $rounds, ms)" "$base_ref" "this" "ratio"
for kind in schema-only with-data; do
  : > "$work/base.ms"; : > "$work/this.ms"
  for r in $(seq "$rounds"); do
    snapshot_ms "$BASE_BIN" "$kind" >> "$work/base.ms"
    snapshot_ms "$bin" "$kind" >> "$work/this.ms"
  done
  base=$(median < "$work/base.ms"); this=$(median < "$work/this.ms")
  printf "%-44s %10.1f %10.1f %8.2f\n" "$kind: fingerprint + data checksum" "$base" "$this" "$(echo "$this / $base" | bc -l)"
done
