#!/usr/bin/env bash
# The hostile round (issue 23): replays the cases that once broke what the README
# promises ("What rehearse promises when things go wrong") and checks each promise:
# exit codes, results documents, no leftover process, run folder or database (on a
# --server of its own, made with initdb here), no planted secret in any output.
# Prints one line per case and the passed/failed counts; exits 1 if any failed.
# Usage: [REHEARSE_BIN=path] scripts/hostile-round.sh [random-signal rounds (default 6)]   (~1.5 min)
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-6}
# REHEARSE_BIN: another build to hold to the promises (an older one shows what broke).
if [ -z "${REHEARSE_BIN:-}" ]; then swift build >/dev/null || exit 2; fi
bin=${REHEARSE_BIN:-$PWD/.build/debug/rehearse}
work=$(mktemp -d /tmp/rh-hostile-XXXXXX)
chmod 755 "$work"
export REHEARSE_RUN_DIR=$work/runs
mkdir -p "$REHEARSE_RUN_DIR"
passed=0
failed=0
pgbin=$(pg_config --bindir)
as_server=()
if [ "$(id -u)" = 0 ]; then as_server=(setpriv --reuid="${REHEARSE_SERVER_USER:-postgres}" --regid="$(id -g "${REHEARSE_SERVER_USER:-postgres}")" --clear-groups --); fi

cleanup() {
  [ -f "$work/pg/data/postmaster.pid" ] && "${as_server[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1
  "$bin" clean >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

ok() { echo "PASS  $1"; passed=$((passed + 1)); }
bad() { echo "FAIL  $1: $2"; failed=$((failed + 1)); }
ms() { date +%s%3N; }

# A --server of the round's own, so that no database of a real server is touched.
mkdir -p "$work/pg" && chown "${REHEARSE_SERVER_USER:-postgres}" "$work/pg" 2>/dev/null
"${as_server[@]}" "$pgbin/initdb" -D "$work/pg/data" --auth=trust --username=postgres --no-sync >/dev/null 2>&1 || { echo "initdb failed"; exit 2; }
"${as_server[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-c listen_addresses= -c unix_socket_directories=$work/pg -c fsync=off" start >/dev/null || { echo "server failed"; exit 2; }
server="host=$work/pg user=postgres dbname=postgres"
databases() { psql "$server" -Atc "SELECT count(*) FROM pg_database WHERE datname LIKE 'rehearse%'"; }

scenario() { # scenario NAME YAML: a scenario folder with a slow down script beside it
  local dir=$work/$1
  mkdir -p "$dir/migrations"
  printf '%s\n' "$2" >"$dir/s.yaml"
  printf 'CREATE TABLE t (id int);\n' >"$dir/migrations/1_t.up.sql"
  printf 'SELECT pg_sleep(30);\nDROP TABLE t;\n' >"$dir/migrations/1_t.down.sql"
  echo "$dir/s.yaml"
}

# Starts a run in the background: sets $pid; output in $work/out.txt, results in $work/results.
start() { "$bin" run "$@" --out "$work/results" >"$work/out.txt" 2>&1 & pid=$!; }
# Waits (polling, at most 60 s) until a statement LIKE $1 is active on the run's embedded server.
wait_statement() {
  for _ in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || return 1
    for d in "$REHEARSE_RUN_DIR"/rehearse-"$pid"-*; do
      [ -S "$d/.s.PGSQL.5432" ] || continue
      n=$(psql "host=$d user=postgres dbname=postgres" -Atc "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '$1' AND pid <> pg_backend_pid()" 2>/dev/null)
      [ "${n:-0}" != 0 ] && return 0
    done
    sleep 0.1
  done
  return 1
}
left() { # what a run left: run folders and their processes
  local n
  n=$(find "$REHEARSE_RUN_DIR" -mindepth 1 -maxdepth 1 | wc -l)
  echo $((n + $(pgrep -f "$REHEARSE_RUN_DIR/rehearse-" | wc -l)))
}
document() { find "$work/results" -name '*.json' | head -1; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

lint_case() { # lint_case NAME YAML: exit 2 within a second, with a position
  local file=$work/$1.yaml t0 code
  printf '%s\n' "$2" >"$file"
  t0=$(ms); timeout 10 "$bin" lint "$file" >"$work/lint.txt" 2>&1; code=$?
  local took=$(($(ms) - t0))
  if [ "$code" = 2 ] && [ "$took" -lt 1500 ] && grep -q "$1.yaml:[0-9]*:[0-9]*: error" "$work/lint.txt"; then ok "$1 (lint exit 2 in ${took} ms)"
  else bad "$1" "exit $code in ${took} ms: $(head -c 200 "$work/lint.txt")"; fi
}

# 1. Absurd numbers and alias bombs: exit 2, fast, with a position.
lint_case absurd-timeout 'name: a
steps: [{name: s, sql: "SELECT 1", timeout: 10000000000s}]'
lint_case absurd-size 'name: a
steps: [{name: s, sql: "SELECT 1"}]
faults: [{memory_cap: {server: 9000000000GB}}]'
lint_case absurd-target 'name: a
steps: [{name: s, sql: "SELECT 1"}]
targets: {s: ["duration < 10000000000s"]}'
lint_case tiny-rate 'name: a
steps: [{name: s, workload: {rate: 0.000000000001/s, duration: 1s, transactions: [{sql: "SELECT 1"}]}}]'
# Aliases as mapping keys, nested: each level composes and hashes the one below several times.
lint_case alias-bomb "$(python3 -c '
lines = ["h0: &h0 {a: 1, b: 2}"]
for i in range(1, 12): lines.append(f"h{i}: &h{i} {{? *h{i-1} : 1, ? [*h{i-1}, *h{i-1}] : 2}}")
lines.append("? *h11\n: 1")
print("\n".join(lines))')"

# 2. SIGINT during the rollback: cancelled, exit 130 within seconds, document, nothing left.
rm -rf "$work/results"
start "$(scenario rb 'name: rb
steps: [{snapshot: before}, {name: deploy, migrate: {dir: migrations}}]
rollback: {when: always, via: down, to: before}')"
if wait_statement '%pg_sleep(30)%'; then
  t0=$(ms); kill -INT "$pid"; wait "$pid"; code=$?; took=$(($(ms) - t0))
  doc=$(document)
  if [ "$code" = 130 ] && [ "$took" -lt 3000 ] && [ -n "$doc" ] && [ "$(json "$doc" 'd["repetitions"][0]["rollback"]["error"]["sqlstate"]')" = 57014 ] && [ "$(left)" = 0 ]; then
    ok "SIGINT during the rollback (exit 130 in ${took} ms, 57014)"
  else bad "SIGINT during the rollback" "exit $code in ${took} ms, document '${doc}', $(left) left"; fi
else bad "SIGINT during the rollback" "the down script never ran"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi

# 3. SIGINT during a deploy step with rollback: always: the rollback does not begin.
rm -rf "$work/results"
start "$(scenario deploy 'name: deploy
steps: [{snapshot: before}, {name: deploy, migrate: {dir: migrations}}, {name: slow, sql: "SELECT pg_sleep(40)"}]
rollback: {when: always, via: down, to: before}')"
if wait_statement '%pg_sleep(40)%'; then
  kill -INT "$pid"; wait "$pid"; code=$?; doc=$(document)
  status=$([ -n "$doc" ] && json "$doc" 'd["repetitions"][0]["rollback"]["status"]')
  if [ "$code" = 130 ] && [ "$status" = not_run ] && [ "$(left)" = 0 ]; then ok "SIGINT before the rollback (not_run)"
  else bad "SIGINT before the rollback" "exit $code, rollback '$status', $(left) left"; fi
else bad "SIGINT before the rollback" "the step never ran"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi

# 4. A signal before the server is ready: still a document.
rm -rf "$work/results"
start "$(scenario early 'name: early
steps: [{name: s, sql: "SELECT 1"}]')"
for _ in $(seq 500); do compgen -G "$REHEARSE_RUN_DIR/rehearse-$pid-*" >/dev/null && break; sleep 0.01; done
kill -TERM "$pid"; wait "$pid"; code=$?; doc=$(document)
if [ "$code" = 143 ] && [ -n "$doc" ] && [ "$(json "$doc" 'd["interrupted"]')" = True ] && [ "$(left)" = 0 ]; then ok "early SIGTERM (document written)"
else bad "early SIGTERM" "exit $code, document '$doc', $(left) left"; fi

# 5. Signals at random points (single), with background traffic and a held lock.
traffic=$(scenario traffic 'name: traffic
steps:
  - {name: schema, sql: "CREATE TABLE t2 (id int PRIMARY KEY); INSERT INTO t2 VALUES (1)"}
  - {name: reads, background: true, workload: {connections: 2, rate: 50/s, transactions: [{sql: "SELECT count(*) FROM t2"}]}}
  - {name: wait, sql: "SELECT pg_sleep(3)"}
faults: [{lock: {table: t2, mode: share, during: wait, hold: 2s}}]')
for i in $(seq "$rounds"); do
  rm -rf "$work/results"
  sig=$([ $((RANDOM % 2)) = 0 ] && echo INT || echo TERM)
  delay=$(awk -v r=$RANDOM 'BEGIN {printf "%.2f", (r % 400) / 100}')
  start "$traffic"; sleep "$delay"; kill -s "$sig" "$pid" 2>/dev/null; wait "$pid"; code=$?
  if { [ "$code" = 130 ] || [ "$code" = 143 ] || [ "$code" = 0 ]; } && [ -n "$(document)" ] && [ "$(left)" = 0 ]; then ok "SIG$sig after ${delay}s (exit $code)"
  else bad "SIG$sig after ${delay}s" "exit $code, document '$(document)', $(left) left"; fi
done

# 6. Two SIGINTs 50 ms apart on a --server: no crash, no database left on it.
double=$(scenario double 'name: double
repeat: 30
steps: [{name: s, sql: "CREATE TABLE t3 AS SELECT generate_series(1, 1000) AS id; SELECT pg_sleep(0.05)"}]')
for i in $(seq "$rounds"); do
  rm -rf "$work/results"
  start "$double" --server "$server"
  sleep "$(awk -v r=$RANDOM 'BEGIN {printf "%.2f", 0.3 + (r % 150) / 100}')"
  kill -INT "$pid" 2>/dev/null; sleep 0.05; kill -INT "$pid" 2>/dev/null; wait "$pid"; code=$?
  for _ in $(seq 100); do [ "$(psql "$server" -Atc "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'rehearse%'")" = 0 ] && break; sleep 0.05; done
  n=$(databases)
  if { [ "$code" = 130 ] || [ "$code" = 0 ]; } && [ "$n" = 0 ]; then ok "double SIGINT on --server, round $i (exit $code)"
  else bad "double SIGINT on --server, round $i" "exit $code, $n databases left"; psql "$server" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'rehearse%'"; fi
  "$bin" clean --server "$server" >/dev/null 2>&1
done

# 7. --keep, then another run: the kept server survives; rehearse clean removes it.
quick=$(scenario quick 'name: quick
steps: [{name: s, sql: "SELECT 1"}]')
"$bin" run "$quick" --keep --out "$work/results" >/dev/null 2>&1
kept=$(compgen -G "$REHEARSE_RUN_DIR/rehearse-*/kept" | head -1)
kept=${kept%/kept}
"$bin" run "$quick" --out "$work/results" >/dev/null 2>&1
if [ -n "$kept" ] && [ -d "$kept" ] && [ -f "$kept/kept" ]; then
  "$bin" clean >/dev/null 2>&1
  if [ ! -e "$kept" ] && [ "$(left)" = 0 ]; then ok "--keep survives the next run; clean removes it"
  else bad "--keep then clean" "clean left $(left)"; fi
else bad "--keep then a run" "the kept server is gone"; fi

# 8. A setting the server rejects: exit 2, fast, at its position.
bad_setting=$(scenario setting 'name: setting
database: {settings: {work_mem: lots}}
steps: [{name: s, sql: "SELECT 1"}]')
t0=$(ms); "$bin" run "$bad_setting" --out "$work/results" >"$work/out.txt" 2>&1; code=$?; took=$(($(ms) - t0))
if [ "$code" = 2 ] && [ "$took" -lt 5000 ] && grep -q 's.yaml:2:[0-9]*: error: database.settings.work_mem' "$work/out.txt" && [ "$(left)" = 0 ]; then ok "rejected setting (exit 2 in ${took} ms)"
else bad "rejected setting" "exit $code in ${took} ms: $(head -c 200 "$work/out.txt")"; fi

# 9. A terminated workload session: the step records 57P01.
rm -rf "$work/results"
"$bin" run "$(scenario terminated 'name: terminated
steps:
  - {name: reads, background: true, workload: {connections: 2, rate: 40/s, transactions: [{sql: "SELECT 1"}]}}
  - {name: kill, sql: "SELECT pg_sleep(0.3); SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"'rehearse:reads'"'; SELECT pg_sleep(0.5)"}')" --out "$work/results" >/dev/null 2>&1
doc=$(document)
state=$([ -n "$doc" ] && json "$doc" '[s for s in d["repetitions"][0]["steps"] if s["name"] == "reads"][0]["error"]["sqlstate"]')
if [ "$state" = 57P01 ]; then ok "terminated workload session (57P01)"; else bad "terminated workload session" "sqlstate '$state'"; fi

# 10. Planted secrets: none may appear in any output.
secret='s3cr@tPw0rd'
rm -rf "$work/results"
"$bin" run "$(scenario secrets "name: secrets
database: {settings: {application_name: \"$secret\"}}
steps: [{name: s, run: {command: [sh, -c, 'echo \$DATABASE_URL; echo \$PGPASSWORD; printf \"\\033]0;bell\\007\"']}}]
checks: [{name: c, query: \"SELECT '$secret'\", expect: 1}]")" --server "postgresql://postgres:$secret@/postgres?host=$work/pg" --out "$work/results" >"$work/out.txt" 2>&1
"$bin" run "$quick" --server "postgresql://postgres:app%ZZ$secret@/postgres?host=$work/pg" >>"$work/out.txt" 2>&1
if ! grep -rq "$secret" "$work/out.txt" "$work/results" 2>/dev/null; then ok "planted secrets stay masked"
else bad "planted secrets" "found in: $(grep -rl "$secret" "$work/out.txt" "$work/results" | tr '\n' ' ')"; fi
"$bin" clean --server "$server" >/dev/null 2>&1

# 11. SIGKILL: the next run reaps the dead run's server and folder.
rm -rf "$work/results"
start "$traffic"
wait_statement '%pg_sleep(3)%'
kill -KILL "$pid"; wait "$pid" 2>/dev/null
"$bin" run "$quick" --out "$work/results" >/dev/null 2>&1
for _ in $(seq 50); do [ "$(left)" = 0 ] && break; sleep 0.1; done
if [ "$(left)" = 0 ]; then ok "SIGKILL, then a run reaps what it left"; else bad "SIGKILL then a run" "$(left) left"; fi

n=$(databases)
if [ "$n" = 0 ]; then ok "no rehearse database left on the round's server"; else bad "databases on the round's server" "$n left"; fi
echo "hostile round: $((passed + failed)) cases, $passed passed, $failed failed"
[ "$failed" = 0 ]
