#!/usr/bin/env bash
# Instructions per transaction, counted by callgrind (repeatable on a noisy machine), of
# pgbench's built-in select-only script run three ways on one connection of the same
# server: by `pgbench -f FILE -M prepared`, by rehearse as a `pgbench:` transaction, and
# by rehearse as the same statement written as a `sql:` transaction; then the tpcb-like
# script (seven statements a transaction) by pgbench and by rehearse. Each runs N1 and N2
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
for s in select-only tpcb-like; do "$pgbin/pgbench" --show-script=$s 2> "$work/$s.sql"; done

total() { awk '/^summary:/ {print $2}' "$1"; }
rehearse_run() { # label n transaction-yaml
  local label=$1 n=$2 dir="$work/$1-$2"
  mkdir -p "$dir"; cp "$work/select-only.sql" "$work/tpcb-like.sql" "$dir/"
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
# tpcb-like: a tenth of the transactions (each is seven round trips).
t1=$((n1 / 10)); t2=$((n2 / 10))
for n in "$t1" "$t2"; do
  rehearse_run tpcb "$n" "{name: t, pgbench: tpcb-like.sql}"
  "$pgbin/pgbench" -i -s 1 -q bench >/dev/null 2>&1
  valgrind --tool=callgrind --callgrind-out-file="$out/pgbench-tpcb-$n.cg" "$pgbin/pgbench" -f "$work/tpcb-like.sql" \
    -M prepared -n -c 1 -t "$n" bench >/dev/null 2>"$out/pgbench-tpcb-$n.log"
done
per() { echo $(( ($(total "$out/$1-$n2.cg") - $(total "$out/$1-$n1.cg")) / (n2 - n1) )); }
per_tpcb() { echo $(( ($(total "$out/$1-$t2.cg") - $(total "$out/$1-$t1.cg")) / (t2 - t1) )); }
printf "\ninstructions per select-only transaction (client only, callgrind)\n"
printf "  pgbench -f select-only.sql -M prepared     %8d (whole process)\n" "$(per pgbench)"
printf "  rehearse, pgbench: select-only.sql         %8d (workload loop)\n" "$(per script)"
printf "  rehearse, the same statement as sql:       %8d (workload loop)\n" "$(per sql)"
printf "instructions per tpcb-like transaction (seven statements)\n"
printf "  pgbench -f tpcb-like.sql -M prepared       %8d (whole process)\n" "$(per_tpcb pgbench-tpcb)"
printf "  rehearse, pgbench: tpcb-like.sql           %8d (workload loop)\n" "$(per_tpcb tpcb)"
