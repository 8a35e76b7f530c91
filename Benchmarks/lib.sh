# Shared by the benchmark scripts: a scratch folder, a by-hand PostgreSQL server
# with rehearse's fast settings (so the server is never the difference), and medians.
# Source it after `cd` to the repository root; it sets $work, $pgbin and PGHOST/PGUSER.

base=/tmp; [ -w /dev/shm ] && base=/dev/shm
work=$(mktemp -d "$base/rh-bench-XXXXXX"); chmod 755 "$work"
# PGBIN=/path/to/bin picks another PostgreSQL build (e.g. one scripts/fetch-pg-wheels.sh
# fetched, listed in .build/pg-bins.txt); else the newest /usr/lib/postgresql/*/bin.
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
as_server() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --clear-groups -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
server_started=
cleanup_bench() {
  [ -n "$server_started" ] && as_server "$pgbin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup_bench EXIT

# start_server [extra postgres -c settings...]: a server on a Unix socket in $work.
start_server() {
  local opts="-k $work -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
  for setting in "$@"; do opts="$opts -c $setting"; done
  as_server "$pgbin/initdb" -D "$work/data" --no-locale -E UTF8 -A trust -U postgres --no-sync >/dev/null
  as_server "$pgbin/pg_ctl" -D "$work/data" -o "$opts" -w -l "$work/log" start >/dev/null
  server_started=1
  export PGHOST="$work" PGUSER=postgres
  url="host=$work port=5432 user=postgres dbname=postgres"
}

# pgbench's scale-1 tables in database `bench`.
pgbench_tables() {
  psql -qc 'CREATE DATABASE bench' postgres
  "$pgbin/pgbench" -i -s 1 -q bench >/dev/null 2>&1
  psql -qc 'VACUUM ANALYZE' bench
}

# The release build of rehearse, in $bin ($REHEARSE_BIN instead, to measure another build).
build_rehearse() {
  if [ -n "${REHEARSE_BIN:-}" ]; then bin=$REHEARSE_BIN; return; fi
  swift build -c release >/dev/null
  bin=$PWD/.build/release/rehearse
}

# run_polled OUT ARGS...: runs rehearse with ARGS, its standard output to OUT, and
# prints its own peak RSS in KB (VmHWM of its process, not of the server it talks
# to), polled every 0.1 s while it runs.
run_polled() {
  local out=$1; shift
  "$bin" "$@" > "$out" 2>/dev/null &
  local pid=$! hwm=0 v
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$v" ] && hwm=$v
    sleep 0.1
  done
  wait "$pid" || true
  echo "$hwm"
}

# The usual set-up of a driver comparison: rehearse built, a server, pgbench's tables.
pgbench_setup() {
  build_rehearse
  start_server "$@"
  pgbench_tables
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# pct P < values: the P-th percentile (nearest rank), values in µs, printed in ms.
pct() { sort -g | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999999); if(i<1)i=1; print a[i]/1000}'; }

# The leads table of incident 4 (accounts and leads, the types synthesize covers), as the
# synthesis and prediction benchmarks create it.
leads_schema="
CREATE TYPE lead_status AS ENUM ('new', 'contacted', 'won', 'lost');
CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL, region text);
CREATE TABLE leads (
    id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), email text UNIQUE,
    phone varchar(20), status lead_status NOT NULL, score integer CHECK (score >= 0 AND score <= 100),
    amount numeric(10, 2), created_at timestamptz NOT NULL, active boolean NOT NULL, token uuid, meta jsonb, country text);"

# The leads columns the benchmarks generate, and the hand-written generation of a million
# rows of them (what built the profiled table, and the synthesis benchmark's by-hand side).
leads_columns="account_id, email, phone, status, score, amount, created_at, active, token, meta, country"
leads_select="
SELECT 1 + floor(20000 * random() ^ 3)::bigint, 'user' || i || '@example.com',
       CASE WHEN random() < 0.1 THEN NULL ELSE '555-' || lpad(floor(random() * 10000)::text, 4, '0') END,
       (ARRAY['new', 'new', 'new', 'new', 'new', 'new', 'contacted', 'contacted', 'won', 'lost'])[1 + floor(random() * 10)::int]::lead_status,
       floor(random() * 101)::int, round((random() * 5000)::numeric, 2),
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute' + floor(random() * 30) * INTERVAL '1 second',
       random() < 0.8, gen_random_uuid(), jsonb_build_object('k', i % 50),
       (ARRAY['US', 'DE', 'FR', 'JP', 'BR'])[1 + floor(5 * random() ^ 2)::int]
FROM generate_series(1, 1000000) AS i"

# leads_source DB: database DB with 20000 accounts and a million leads (the same every run:
# a fixed seed), analyzed, for the benchmarks that profile or rewrite a production-sized table.
leads_source() {
  psql -qc "CREATE DATABASE $1" postgres
  psql -q "$1" >/dev/null <<SQL
$leads_schema
SELECT setseed(0.17);
INSERT INTO accounts (name, region)
SELECT 'account ' || i, CASE WHEN random() < 0.3 THEN NULL ELSE (ARRAY['emea', 'amer', 'apac'])[1 + floor(random() * 3)::int] END
FROM generate_series(1, 20000) AS i;
INSERT INTO leads ($leads_columns) $leads_select;
ANALYZE accounts, leads;
SQL
}

