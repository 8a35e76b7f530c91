#!/usr/bin/env bash
# Issue 17's synthesis benchmark: a redacted profile of a 1M-row `leads` table (20,000
# accounts, skewed fan-out, 10% NULLs, skewed enum and text, unique email and uuid, a
# correlated timestamp, a check) rebuilt by a `synthesize` step, beside a hand-written
# `INSERT … SELECT … FROM generate_series` of the same table (plus its ANALYZE, as the
# step ends with one) in the same run, alternating ROUNDS times. Prints the medians, the
# ratio, and rehearse's own peak RSS at scale 1 and at scale 0.1 (flat: the server
# generates the rows).
# Usage: [REHEARSE_BIN=path/to/rehearse] Benchmarks/synthesize-1m.sh [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
source Benchmarks/lib.sh
build_rehearse
start_server

# The hand-written generation of the same columns: leads_select and leads_columns (lib.sh).
columns=$leads_columns

leads_source source
"$bin" profile "$url dbname=source" --out "$work/profile.json" --redact >/dev/null

scenario() {  # scenario SCALE: schema, synthesize at SCALE, then the same table by hand
  cat <<YAML
name: synthesize-1m
data: {profile: $work/profile.json}
steps:
  - name: schema
    sql: |
$(echo "$leads_schema" | sed 's/^/      /')
      CREATE TABLE leads_hand (LIKE leads INCLUDING ALL);
      ALTER TABLE leads_hand ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
  - name: synthesize
    synthesize: {scale: $1, seed: 1}
  - name: by-hand
    sql: |
      INSERT INTO leads_hand ($columns) $(echo "$leads_select" | tr '\n' ' ');
      ANALYZE leads_hand;
YAML
}
scenario 1 > "$work/s1.yaml"
scenario 0.1 > "$work/s01.yaml"

: > "$work/syn"; : > "$work/hand"; : > "$work/rss1"; : > "$work/rss01"
for r in $(seq "$rounds"); do
  run_polled "$work/out1.json" run "$work/s1.yaml" --server "$url" --json --out "$work/out" >> "$work/rss1"
  python3 - "$work/out1.json" >> "$work/times" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
steps = {s["name"]: s for s in d["repetitions"][0]["steps"]}
syn, hand = steps["synthesize"], steps["by-hand"]
assert syn["status"] == "ok" and hand["status"] == "ok", (syn["error"], hand["error"])
assert syn["tables"]["leads"]["rows"] == 1000000, syn["tables"]["leads"]
print(syn["duration_ms"], hand["duration_ms"], syn["latency_ms"]["max"])
PY
  run_polled "$work/out01.json" run "$work/s01.yaml" --server "$url" --json --out "$work/out" >> "$work/rss01"
done
syn=$(awk '{print $1}' "$work/times" | median); hand=$(awk '{print $2}' "$work/times" | median)
insert=$(awk '{print $3}' "$work/times" | median)
printf "\n%-58s %10s %8s\n" "1M leads + 20k accounts (median of $rounds)" "ms" "ratio"
printf "%-58s %10.0f %8.2f\n" "by hand: INSERT … SELECT FROM generate_series + ANALYZE" "$hand" 1
printf "%-58s %10.0f %8.2f\n" "synthesize step (both tables, ANALYZE, fidelity)" "$syn" "$(echo "$syn / $hand" | bc -l)"
printf "%-58s %10.0f\n" "  its longest statement (a slice of the leads)" "$insert"
printf "%-58s %10s\n" "rehearse peak RSS, scale 1 (1M rows), KB" "$(median < "$work/rss1")"
printf "%-58s %10s\n" "rehearse peak RSS, scale 0.1 (100k rows), KB" "$(median < "$work/rss01")"
python3 - "$work/out1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d["repetitions"][0]["steps"] if s["name"] == "synthesize"][0]
f = s["tables"]["leads"]["fidelity"]
print("\nfidelity of leads at scale 1 (last round): column  null_frac  n_distinct  most_common_freqs  correlation")
for c in sorted(f["null_frac"]):
    cell = lambda m: "/".join(f"{v:.3g}" for v in f[m][c]) if c in f[m] else "-"
    print(f"  {c:12} {cell('null_frac'):>16} {cell('n_distinct'):>18} {cell('most_common_freqs'):>16} {cell('correlation'):>16}")
PY
