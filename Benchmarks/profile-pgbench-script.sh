#!/usr/bin/env bash
# Instructions per transaction, counted by callgrind (repeatable on a noisy machine), of
# pgbench's built-in select-only script run three ways on one connection of the same
# server: by `pgbench -f FILE -M prepared`, by rehearse as a `pgbench:` transaction, and
# by rehearse as the same statement written as a `sql:` transaction. Each runs N1 and N2
# transactions; (I(N2) - I(N1)) / (N2 - N1) removes start-up and set-up costs. Only the
# client is counted, and for rehearse only its workload loop (libpq calls included).
# Usage: Benchmarks/profile-pgbench-script.sh [n1=2000] [n2=12000]
set -euo pipefail
cd "$(dirname "$0")/.."
n1=${1:-2000}
n2=${2:-12000}
out=${PROFILE_OUT:-/tmp/rh-profile-pgbench}
rm -rf "$out"; mkdir -p "$out"
source Benchmarks/lib.sh
build_rehearse
# valgrind 3.19 cannot read Swift 6.3's DWARF 5; symbols are enough for a profile.
strip -g -o "$out/rehearse" "$bin"
start_server
pgbench_tables
"$pgbin/pgbench" --show-script=select-only 2> "$work/select-only.sql"

total() { awk '/^summary:/ {print $2}' "$1"; }
rehearse_run() { # label n transaction-yaml
  local label=$1 n=$2 dir="$work/$1-$2"
  mkdir -p "$dir"; cp "$work/select-only.sql" "$dir/"
  cat > "$dir/s.yaml" <<YAML
name: profile
steps:
  - name: init
    run: ["$pgbin/pgbench", "-i", "-s", "1", "-q"]
  - name: bench
    workload:
      iterations: $n
      transactions:
        - $3
YAML
  valgrind --tool=callgrind --toggle-collect='*Workload*runLane*' --callgrind-out-file="$out/$label-$n.cg" \
    "$out/rehearse" run "$dir/s.yaml" --server "$url" --out "$dir/out" >/dev/null 2>"$out/$label-$n.log"
}
for n in "$n1" "$n2"; do
  rehearse_run script "$n" "{name: s, pgbench: select-only.sql}"
  rehearse_run sql "$n" "{name: s, sql: 'SELECT abalance FROM pgbench_accounts WHERE aid = \$1', params: [{random_int: [1, 100000]}]}"
  valgrind --tool=callgrind --callgrind-out-file="$out/pgbench-$n.cg" "$pgbin/pgbench" -f "$work/select-only.sql" \
    -M prepared -n -c 1 -t "$n" bench >/dev/null 2>"$out/pgbench-$n.log"
done
per() { echo $(( ($(total "$out/$1-$n2.cg") - $(total "$out/$1-$n1.cg")) / (n2 - n1) )); }
printf "\ninstructions per select-only transaction (client only, callgrind)\n"
printf "  pgbench -f select-only.sql -M prepared     %8d (whole process)\n" "$(per pgbench)"
printf "  rehearse, pgbench: select-only.sql         %8d (workload loop)\n" "$(per script)"
printf "  rehearse, the same statement as sql:       %8d (workload loop)\n" "$(per sql)"
