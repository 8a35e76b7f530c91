#!/usr/bin/env bash
# Issue 23's hostile round, the input and output half (items 1, 2, 7, 10): replays the
# hostile cases against the built binary and checks the promises. Each case prints
# "ok" or "FAIL"; the script exits 1 if any failed. A few minutes at most (one real run).
#   - every file of Tests/RehearseUnitTests/Fixtures/hostile (absurd numbers, alias bombs):
#     `lint` exits 2 within 2 s naming file:line:column;
#   - results documents with a negative count, a 1e308 latency, over 64 MiB: `compare`
#     and `report` exit 2 (with a position for the numbers);
#   - malformed --server URLs and a password holding @: the password is on no output;
#   - a real run with a secret planted in an error message, detail and hint, a check's
#     name and value, a setting and a command's output, and control characters from the
#     server: no output (results, --json, terminal, compare in every format, HTML) holds
#     the secret, and no terminal or markdown output holds a raw ESC or BEL.
# Usage: scripts/hostile-input.sh   (REHEARSE_BIN=path to skip the build)
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${REHEARSE_BIN:-}" ]; then swift build --product rehearse >/dev/null || exit 1; fi
bin=${REHEARSE_BIN:-$PWD/.build/debug/rehearse}
work=$(mktemp -d /tmp/rh-hostile-XXXXXX)
trap 'rm -rf "$work"' EXIT
cases=0 failed=0
check() {  # check NAME CONDITION...: one case
  cases=$((cases + 1))
  if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failed=$((failed + 1)); fi
}

# 1, 2: absurd numbers and alias bombs.
for f in Tests/RehearseUnitTests/Fixtures/hostile/*.yaml; do
  start=$(date +%s%N)
  timeout 30 "$bin" lint "$f" >"$work/out" 2>&1; code=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  check "lint $(basename "$f"): exit $code in $ms ms" \
    test "$code" = 2 -a "$ms" -lt 2000 -a -n "$(grep -E "$(basename "$f"):[0-9]+:[0-9]+: error:" "$work/out")"
done

# 10: results documents read by compare and report.
good=results/baselines/quickstart.json
sed '0,/"batches" : [0-9]*/s//"batches" : -5/' "$good" >"$work/negative.json"
sed '0,/"p50" : [0-9.]*/s//"p50" : 1e308/' "$good" >"$work/huge.json"
truncate -s 65M "$work/oversized.json"
for f in negative huge oversized; do
  "$bin" compare "$good" "$work/$f.json" >"$work/out" 2>&1; code=$?
  check "compare with $f.json: exit $code" test "$code" = 2 -a -n "$(grep -E "$f.json(:[0-9]+:[0-9]+)?: " "$work/out")"
  "$bin" report "$work/$f.json" --html "$work/$f.html" >"$work/out" 2>&1; code=$?
  check "report of $f.json: exit $code" test "$code" = 2 -a ! -e "$work/$f.html"
done

# 7: secrets in --server URLs.
printf 'name: one\nsteps: [{sql: "SELECT 1"}]\n' >"$work/one.yaml"
for url in 'postgresql://app:%ZZs3cretpw@localhost/db' 'postgresql://app%ZZs3cretpw@localhost/db' \
  'postgresql://app:s3cret@pw@localhost:5/db?connect_timeout=2'; do
  timeout 60 "$bin" run "$work/one.yaml" --out "$work/r" --server "$url" >"$work/out" 2>&1; code=$?
  check "run --server $url: exit $code, no password" test -z "$(grep -i 's3cret\|pw@' "$work/out")"
done

# 7: a real run with planted secrets, everything it writes searched.
secret=Pl4nted-s3cret-$RANDOM
mkdir -p "$work/planted"
cat >"$work/planted/planted.yaml" <<YAML
name: planted
database:
  settings: {application_name: "app $secret"}
steps:
  - name: boom
    on_error: continue
    sql: "DO \$\$ BEGIN RAISE EXCEPTION 'boom $secret %', chr(27) || '[2J' || chr(7) USING DETAIL = 'detail $secret', HINT = 'hint $secret'; END \$\$"
  - name: say
    run: "echo 'said $secret'; printf '\\\\033[2J\\\\a'; exit 3"
    on_error: continue
checks:
  - name: check-$secret
    query: "SELECT 'value $secret'"
    expect: "other"
YAML
PGPASSWORD=$secret timeout 300 "$bin" run "$work/planted/planted.yaml" --out "$work/planted/results" >"$work/planted/terminal" 2>&1
PGPASSWORD=$secret timeout 300 "$bin" run "$work/planted/planted.yaml" --out "$work/planted/results" --json \
  >"$work/planted/json" 2>"$work/planted/json-stderr"
results=$(find "$work/planted/results" -name '*.json' | sort | tail -1)
check "the planted run wrote results" test -n "$results"
check "the planted run's results hold the planted text, masked" test -n "$(grep -c 'boom \*\*\*\*\*' "$results")"
for format in text markdown json junit; do
  "$bin" compare "$results" "$results" --format "$format" >"$work/planted/compare.$format" 2>&1
done
"$bin" report "$results" --html "$work/planted/report.html" >/dev/null 2>&1
for f in "$work"/planted/terminal "$work"/planted/json "$work"/planted/json-stderr "$work"/planted/compare.* \
  "$work"/planted/report.html $(find "$work/planted/results" -type f); do
  check "no secret in $(basename "$f")" test -z "$(grep -l "$secret\|s3cret" "$f")"
done
for f in "$work"/planted/terminal "$work"/planted/json-stderr "$work"/planted/compare.text "$work"/planted/compare.markdown; do
  check "no raw ESC or BEL in $(basename "$f")" test -z "$(grep -lP '\x1b\[2J|\x07' "$f")"
done

echo "$cases cases, $failed failed"
[ "$failed" = 0 ]
