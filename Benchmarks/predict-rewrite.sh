#!/usr/bin/env bash
# Checks issue 17's premise before `sweep` exists: do smaller synthesized rehearsals
# predict a larger one? A redacted profile of a 1M-row `leads` table (as in
# synthesize-1m.sh) is synthesized at 2%, 5% and 10%, a table rewrite (`ALTER COLUMN …
# TYPE`) and a `CREATE INDEX` are timed at each (REPEAT repetitions, each on a fresh
# database), both are fitted (linear and n·log n least squares over every repetition,
# the smaller residual wins, 95% prediction interval: what ScaleFit computes) and
# extrapolated to 30%, and 30% is then run and measured. Prints prediction, interval,
# measurement and error.
# Usage: [REHEARSE_BIN=path/to/rehearse] Benchmarks/predict-rewrite.sh [repeat=3]
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-3}
source Benchmarks/lib.sh
build_rehearse
start_server

psql -qc 'CREATE DATABASE source' postgres
psql -q source >/dev/null <<SQL
$leads_schema
SELECT setseed(0.17);
INSERT INTO accounts (name, region)
SELECT 'account ' || i, CASE WHEN random() < 0.3 THEN NULL ELSE (ARRAY['emea', 'amer', 'apac'])[1 + floor(random() * 3)::int] END
FROM generate_series(1, 20000) AS i;
INSERT INTO leads (account_id, email, phone, status, score, amount, created_at, active, token, meta, country)
SELECT 1 + floor(20000 * random() ^ 3)::bigint, 'user' || i || '@example.com',
       CASE WHEN random() < 0.1 THEN NULL ELSE '555-' || lpad(floor(random() * 10000)::text, 4, '0') END,
       (ARRAY['new', 'new', 'new', 'new', 'new', 'new', 'contacted', 'contacted', 'won', 'lost'])[1 + floor(random() * 10)::int]::lead_status,
       floor(random() * 101)::int, round((random() * 5000)::numeric, 2),
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute' + floor(random() * 30) * INTERVAL '1 second',
       random() < 0.8, gen_random_uuid(), jsonb_build_object('k', i % 50),
       (ARRAY['US', 'DE', 'FR', 'JP', 'BR'])[1 + floor(5 * random() ^ 2)::int]
FROM generate_series(1, 1000000) AS i;
ANALYZE accounts, leads;
SQL
"$bin" profile "$url dbname=source" --out "$work/profile.json" --redact >/dev/null

for scale in 0.02 0.05 0.1 0.3; do
  cat > "$work/s-$scale.yaml" <<YAML
name: predict-$(echo "$scale" | tr . -)
repeat: $repeat
data: {profile: $work/profile.json}
steps:
  - name: schema
    sql: |
$(echo "$leads_schema" | sed 's/^/      /')
  - name: data
    synthesize: {scale: $scale, seed: 1}
  - name: rewrite
    sql: "ALTER TABLE leads ALTER COLUMN score TYPE bigint"
  - name: index
    sql: "CREATE INDEX leads_created_at ON leads (created_at)"
YAML
  "$bin" run "$work/s-$scale.yaml" --server "$url" --json --out "$work/out" > "$work/r-$scale.json" 2>/dev/null || true
done

python3 - "$work" <<'PY'
import json, math, sys
work = sys.argv[1]
rows = 1_000_000
T = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131]
def durations(scale, step):
    d = json.load(open(f"{work}/r-{scale}.json"))
    out = []
    for rep in d["repetitions"]:
        s = [x for x in rep["steps"] if x["name"] == step][0]
        assert s["status"] == "ok", s["error"]
        out.append(s["duration_ms"])
    return out
def x(model, s): return s if model == "linear" else s * math.log(1 + s * rows)
def fit(points, model):
    xy = [(x(model, s), v) for s, vs in points for v in vs]
    n = len(xy); mx = sum(a for a, _ in xy) / n; my = sum(b for _, b in xy) / n
    sxx = sum((a - mx) ** 2 for a, _ in xy); b = sum((a - mx) * (v - my) for a, v in xy) / sxx; a0 = my - b * mx
    rss = sum((v - (a0 + b * a)) ** 2 for a, v in xy); tss = sum((v - my) ** 2 for _, v in xy)
    return dict(model=model, a=a0, b=b, rss=rss, r2=1 - rss / tss if tss else 1, n=n, mx=mx, sxx=sxx)
print(f"\n{'step':8} {'model':8} {'r2':>6} {'predicted 30% ms':>17} {'95% interval':>20} {'measured ms':>12} {'error':>7}")
for step in ["rewrite", "index"]:
    points = [(s, durations(s, step)) for s in ["0.02", "0.05", "0.1"]]
    points = [(float(s), v) for s, v in points]
    f = min((fit(points, m) for m in ["linear", "n_log_n"]), key=lambda f: f["rss"])
    x0 = x(f["model"], 0.3); value = f["a"] + f["b"] * x0
    t = T[f["n"] - 3] if f["n"] - 2 <= len(T) else 1.96
    half = t * math.sqrt(f["rss"] / (f["n"] - 2)) * math.sqrt(1 + 1 / f["n"] + (x0 - f["mx"]) ** 2 / f["sxx"])
    measured = sorted(durations("0.3", step)); m = measured[len(measured) // 2]
    print(f"{step:8} {f['model']:8} {f['r2']:6.3f} {value:17.0f} {max(0, value - half):9.0f}–{value + half:<9.0f} {m:12.0f} {100 * (value - m) / m:6.1f}%")
PY
