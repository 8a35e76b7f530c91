#!/usr/bin/env bash
# Makes scenarios/migration-36/leads.profile.json, the production-shaped profile of
# incident 4's `leads` table that scenarios/incident-4-migration-36-*-predicted.yaml
# synthesize from. It builds the table on a disposable server (initdb in a scratch folder,
# removed afterwards) with production's shapes: ROWS leads (default 1,000,000) with ids in
# order, near-unique phones, 5% NULL emails over a few skewed domains, a skewed status,
# 20% NULL scores skewed low, a skewed source, 30% NULL notes of varying width, and
# created_at following the ids (correlation near 1); then `ANALYZE` and
# `rehearse profile --redact` (no value of a row is kept: only the shapes).
# With --measure it then runs migration 36 as it shipped (scenarios/migration-36/combined)
# on the full table and prints how long its transaction held the table's lock, the
# figure the predicted scenarios estimate from small scales.
# Usage: [REHEARSE_BIN=path/to/rehearse] scripts/make-leads-profile.sh [--measure] [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
measure=
if [ "${1:-}" = --measure ]; then measure=1; shift; fi
rows=${1:-1000000}
out=scenarios/migration-36/leads.profile.json
source Benchmarks/lib.sh
if [ -n "${REHEARSE_BIN:-}" ]; then bin=$REHEARSE_BIN; else
  nice -n 15 swift build --product rehearse >/dev/null
  bin=$PWD/.build/debug/rehearse
fi
start_server

psql -qc 'CREATE DATABASE production' postgres
psql -q -v ON_ERROR_STOP=1 production < scenarios/migration-36/production-schema.sql
started=$(date +%s)
psql -q -v ON_ERROR_STOP=1 production <<SQL
SELECT setseed(0.36);
INSERT INTO leads (id, phone, created_at, email, status, score, source, notes)
SELECT i,
       '+1' || (2000000000 + floor(random() * 7999999999))::bigint,
       TIMESTAMPTZ '2021-01-01 00:00:00+00' + i * INTERVAL '90 seconds' + floor(random() * 600) * INTERVAL '1 second',
       CASE WHEN random() < 0.05 THEN NULL
            ELSE 'lead' || i || '@' || (ARRAY['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'example.org'])[1 + floor(5 * random() ^ 2)::int] END,
       (ARRAY['new', 'new', 'new', 'new', 'new', 'new', 'contacted', 'contacted', 'won', 'lost'])[1 + floor(random() * 10)::int],
       CASE WHEN random() < 0.2 THEN NULL ELSE floor(101 * random() ^ 2)::int END,
       (ARRAY['web', 'ads', 'referral', 'import', 'partner'])[1 + floor(5 * random() ^ 3)::int],
       CASE WHEN random() < 0.3 THEN NULL ELSE repeat('called, no answer; ', 1 + floor(random() * 6)::int) END
FROM generate_series(1, $rows) AS i;
ANALYZE leads;
SQL
echo "built $rows leads in $(( $(date +%s) - started )) s; $(psql -Atc "SELECT pg_size_pretty(pg_total_relation_size('leads'))" production)"
"$bin" profile "$url dbname=production" --table leads --redact --out "$out"
echo "wrote $out"

if [ -n "$measure" ]; then
  # Migration 36 as it shipped, in its one transaction: the table's AccessExclusiveLock is
  # taken by the ALTER and held to the COMMIT, so the transaction's time is the hold.
  started=$(date +%s%N)
  psql -q -1 -v ON_ERROR_STOP=1 -f scenarios/migration-36/combined/36_add_call_direction.up.sql production
  echo "migration 36 (combined) on the full table held its lock for $(( ($(date +%s%N) - started) / 1000000 )) ms"
fi
