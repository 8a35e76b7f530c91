#!/usr/bin/env bash
# Issue 7's benchmark: rehearse's workload driver against pgbench on the same
# server, the same transactions and the same connection counts, alternating the
# two drivers ROUNDS times and taking the median ratio.
#   throughput: transactions per second, closed model (pgbench -M prepared)
#   agreement:  p50/p95 of rehearse against percentiles computed from pgbench --log
# Usage: Benchmarks/vs-pgbench.sh [rounds=3] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-10}
swift build -c release >/dev/null
bin=$PWD/.build/release/rehearse
base=/tmp; [ -w /dev/shm ] && base=/dev/shm
work=$(mktemp -d "$base/rh-pgb-XXXXXX"); chmod 755 "$work"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_server() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --clear-groups -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
as_server "$pgbin/initdb" -D "$work/data" --no-locale -E UTF8 -A trust -U postgres --no-sync >/dev/null
as_server "$pgbin/pg_ctl" -D "$work/data" -o "-k $work -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" -w -l "$work/log" start >/dev/null
cleanup() { as_server "$pgbin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
export PGHOST="$work" PGUSER=postgres
psql -qc 'CREATE DATABASE bench' postgres
pgbench -i -s 1 -q bench >/dev/null 2>&1
psql -qc 'VACUUM ANALYZE' bench
url="host=$work port=5432 user=postgres dbname=postgres"

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
pct() { sort -g | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999999); if(i<1)i=1; print a[i]/1000}'; }

run_rehearse() { # scenario connections -> "tps p50 p95"
  local scenario=$1 conns=$2 tmp="$work/scn"
  rm -rf "$tmp"; mkdir -p "$tmp"
  sed -e "s/connections: 1/connections: $conns/" -e "s/duration: 10s/duration: ${seconds}s/" "Benchmarks/scenarios/$scenario.yaml" > "$tmp/s.yaml"
  "$bin" run "$tmp/s.yaml" --server "$url" --json --out "$tmp/out" 2>/dev/null | python3 -c "
import json,sys
d=json.load(sys.stdin); s=[x for x in d['repetitions'][0]['steps'] if x['kind']=='workload'][0]
print(s['batches']/(s['duration_ms']/1000), s['latency_ms']['p50'], s['latency_ms']['p95'])"
}
run_pgbench() { # mode connections -> "tps p50 p95"
  local mode=$1 conns=$2 dir="$work/pgb"
  rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
  local tps
  tps=$(pgbench $mode -M prepared -n -c "$conns" -j "$conns" -T "$seconds" -l bench 2>/dev/null | awk '/^tps/ {print $3}')
  cat pgbench_log.* | awk '{print $3}' > lat.txt
  echo "$tps $(pct 50 < lat.txt) $(pct 95 < lat.txt)"
  cd - >/dev/null
}

printf "\n%-26s %5s %12s %12s %7s %16s %16s\n" "workload" "conns" "rehearse tps" "pgbench tps" "ratio" "p50 ms rh/pgb" "p95 ms rh/pgb"
for spec in "select-only:-S:pgbench-select" "tpc-b-like::pgbench-tpcb"; do
  IFS=: read -r label mode scenario <<< "$spec"
  for conns in 1 2; do
    : > "$work/ratios"; : > "$work/rh"; : > "$work/pg"
    for r in $(seq "$rounds"); do
      rh=$(run_rehearse "$scenario" "$conns"); pg=$(run_pgbench "$mode" "$conns")
      echo "$rh" >> "$work/rh"; echo "$pg" >> "$work/pg"
      echo "$(echo "$rh" | cut -d' ' -f1) $(echo "$pg" | cut -d' ' -f1)" | awk '{print $1/$2}' >> "$work/ratios"
    done
    rtps=$(cut -d' ' -f1 "$work/rh" | median); ptps=$(cut -d' ' -f1 "$work/pg" | median)
    r50=$(cut -d' ' -f2 "$work/rh" | median); p50=$(cut -d' ' -f2 "$work/pg" | median)
    r95=$(cut -d' ' -f3 "$work/rh" | median); p95=$(cut -d' ' -f3 "$work/pg" | median)
    printf "%-26s %5d %12.0f %12.0f %7.3f %16s %16s\n" "$label" "$conns" "$rtps" "$ptps" "$(median < "$work/ratios")" \
      "$(printf '%.3f/%.3f' "$r50" "$p50")" "$(printf '%.3f/%.3f' "$r95" "$p95")"
  done
done
echo "(ratio: median over $rounds alternating rounds of rehearse tps / pgbench tps; ${seconds}s each)"
