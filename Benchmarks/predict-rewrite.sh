#!/usr/bin/env bash
# Checks that smaller synthesized rehearsals predict a larger one. A redacted profile of a
# 1M-row `leads` table (as in synthesize-1m.sh) is synthesized by one `sweep` run at 2%,
# 5% and 10% (REPEAT repetitions each, each on a fresh database) with `predict: 0.3`; a
# table rewrite (`ALTER COLUMN … TYPE`) and a `CREATE INDEX` run at each, and rehearse
# fits and extrapolates them (results `predictions`: the better of linear and n·log n
# least squares, 95% prediction interval). Then 30% is run and measured. Prints, per step,
# the prediction, its interval, the measurement and the error, and the same for the
# rewrite's AccessExclusiveLock hold.
# Usage: [REHEARSE_BIN=path/to/rehearse] Benchmarks/predict-rewrite.sh [repeat=3]
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-3}
source Benchmarks/lib.sh
build_rehearse
start_server

leads_source source
"$bin" profile "$url dbname=source" --out "$work/profile.json" --redact >/dev/null

schema_step="  - name: schema
    sql: |
$(echo "$leads_schema" | sed 's/^/      /')"
timed_steps='  - name: rewrite
    sql: "ALTER TABLE leads ALTER COLUMN score TYPE bigint"
  - name: index
    sql: "CREATE INDEX leads_created_at ON leads (created_at)"'
# The sweep: one run, three scales; then the scale it predicts, run for real.
cat > "$work/sweep.yaml" <<YAML
name: predict-sweep
repeat: $repeat
data: {profile: $work/profile.json}
sweep: {scale: [0.02, 0.05, 0.1], predict: 0.3}
steps:
$schema_step
  - name: data
    synthesize: {seed: 1}
$timed_steps
YAML
cat > "$work/at-30.yaml" <<YAML
name: predict-30
repeat: $repeat
data: {profile: $work/profile.json}
steps:
$schema_step
  - name: data
    synthesize: {scale: 0.3, seed: 1}
$timed_steps
YAML
for f in sweep at-30; do
  "$bin" run "$work/$f.yaml" --server "$url" --json --out "$work/out" > "$work/$f.json" 2>/dev/null || true
done

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
sweep = json.load(open(f"{work}/sweep.json"))
at30 = json.load(open(f"{work}/at-30.json"))
def median(v):
    v = sorted(v); return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
def measured(step, lock=None):
    out = []
    for rep in at30["repetitions"]:
        s = [x for x in rep["steps"] if x["name"] == step][0]
        assert s["status"] == "ok", s["error"]
        if lock is None: out.append(s["duration_ms"])
        else: out += [l["held_ms"] for l in s["locks_taken"] if (l["relation"], l["mode"]) == lock]
    return median(out)
print(f"\n{'what':24} {'model':8} {'r2':>6} {'predicted 30% ms':>17} {'95% interval':>20} {'measured ms':>12} {'error':>7}")
rows = [("rewrite", None), ("index", None), ("rewrite", ("leads", "AccessExclusiveLock"))]
for step, lock in rows:
    p = sweep["predictions"][step]
    f = p["duration_ms"] if lock is None else p["lock_hold"][lock[0]][lock[1]]
    m = measured(step, lock)
    label = step if lock is None else f"{step} {lock[1]}"
    print(f"{label:24} {f['model']:8} {f['r2']:6.3f} {f['value']:17.0f} {f['low']:9.0f}–{f['high']:<9.0f} {m:12.0f} {100 * (f['value'] - m) / m:6.1f}%")
PY
