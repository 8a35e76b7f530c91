#!/usr/bin/env bash
# Issue 2's benchmark: rehearse's disposable servers against doing the same by hand,
# alternating the two, median of N rounds each, printed side by side.
#   cold start: `rehearse run` of a one-step scenario (pristine-cluster cache warm, and
#               once with it empty) vs initdb + postgres start + one query + stop by hand
#   fresh database: rehearse's per-repetition CREATE DATABASE … TEMPLATE (from the results'
#               database_ms) vs the same statement issued from psql with \timing
# Usage: Benchmarks/vs-by-hand.sh [rounds]   (builds release first)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
swift build -c release >/dev/null
bin=.build/release/rehearse
# By-hand servers live where rehearse's do (/dev/shm when it is there), so storage is not the difference.
base=/tmp; [ -w /dev/shm ] && base=/dev/shm
work=$(mktemp -d "$base/rh-bench-XXXXXX")
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_server() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --clear-groups -- "$@"; else "$@"; fi; }
now_ms() { date +%s%N | awk '{printf "%.3f", $1/1e6}'; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

by_hand() {
  local d="$work/hand"; rm -rf "$d"; mkdir -p "$d"; [ "$(id -u)" = 0 ] && chown postgres "$d"
  local t0; t0=$(now_ms)
  as_server "$pgbin/initdb" -D "$d/data" --no-locale -E UTF8 -A trust -U postgres --no-sync >/dev/null
  as_server "$pgbin/pg_ctl" -D "$d/data" -o "-k $d -c listen_addresses= -c fsync=off" -w -l "$d/log" start >/dev/null
  psql -h "$d" -U postgres -d postgres -Atc 'SELECT 1' >/dev/null
  as_server "$pgbin/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null
  local t1; t1=$(now_ms)
  echo "$t1 - $t0" | bc
}
rehearse_cold() {
  local t0; t0=$(now_ms)
  "$bin" run Benchmarks/scenarios/select-one.yaml --out "$work/results" >/dev/null 2>&1
  local t1; t1=$(now_ms)
  echo "$t1 - $t0" | bc
}

echo "warming: first-ever run (empty pristine-cluster cache)"
export REHEARSE_CACHE_DIR="$(mktemp -d /tmp/rh-bench-cache-XXXXXX)"
trap 'rm -rf "$work" "$REHEARSE_CACHE_DIR"' EXIT
first=$(rehearse_cold)
: > "$work/hand.txt"; : > "$work/cold.txt"
for i in $(seq "$rounds"); do
  by_hand >> "$work/hand.txt"
  rehearse_cold >> "$work/cold.txt"
done
hand=$(median < "$work/hand.txt"); cold=$(median < "$work/cold.txt")

# Fresh repetition databases: rehearse's own figure, then psql on a server of the same kind.
"$bin" run Benchmarks/scenarios/select-one.yaml --repeat 30 --out "$work/reps" >/dev/null 2>&1
rep=$(python3 -c "
import json,glob,statistics
d=json.load(open(glob.glob('$work/reps/*/*.json')[0]))
print(statistics.median(r['database_ms'] for r in d['repetitions']))")
d="$work/raw"; mkdir -p "$d"; [ "$(id -u)" = 0 ] && chown postgres "$d"
as_server "$pgbin/initdb" -D "$d/data" --no-locale -E UTF8 -A trust -U postgres --no-sync >/dev/null
as_server "$pgbin/pg_ctl" -D "$d/data" -o "-k $d -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -w -l "$d/log" start >/dev/null
psql -h "$d" -U postgres -qc 'CREATE DATABASE tpl' >/dev/null
{
  echo '\timing on'
  for i in $(seq 30); do echo "CREATE DATABASE r$i TEMPLATE tpl STRATEGY FILE_COPY;"; done
} | psql -h "$d" -U postgres -d postgres 2>&1 | awk '/^Time:/ {print $2}' > "$work/raw.txt"
as_server "$pgbin/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null
raw=$(median < "$work/raw.txt")

printf "\n%-44s %12s %12s %8s\n" "what (median of $rounds, ms)" "rehearse" "by hand" "ratio"
printf "%-44s %12.1f %12.1f %8.2f\n" "cold run: server up, 1 query, server gone" "$cold" "$hand" "$(echo "$cold / $hand" | bc -l)"
printf "%-44s %12.1f %12s %8s\n" "  same, first-ever run (cache empty)" "$first" "" ""
printf "%-44s %12.2f %12.2f %8.2f\n" "fresh repetition database (median of 30)" "$rep" "$raw" "$(echo "$rep / $raw" | bc -l)"
