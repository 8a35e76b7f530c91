#!/usr/bin/env bash
# A seeding command like incident 2's: --dry-run, --size=small|large, --clean.
# It builds its rows in memory before loading them (as the incident's seeder did),
# so its peak memory grows with --size.
set -euo pipefail
size=small; clean=0; dry=0
for arg in "$@"; do
  case "$arg" in
    --size=*) size="${arg#--size=}" ;;
    --clean) clean=1 ;;
    --dry-run) dry=1 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
case "$size" in small) rows=20000 ;; large) rows=3000000 ;; *) echo "bad size" >&2; exit 2 ;; esac
echo "seeding $rows rows into $PGDATABASE (DATABASE_URL=$DATABASE_URL)"
[ "$dry" = 1 ] && { echo "dry run: nothing written"; exit 0; }
[ "$clean" = 1 ] && psql -q -v ON_ERROR_STOP=1 -c "TRUNCATE seed_rows"
python3 - "$rows" <<'PY' | psql -q -v ON_ERROR_STOP=1 -c "\copy seed_rows (id, payload) FROM STDIN WITH (FORMAT csv)"
import sys
rows = int(sys.argv[1])
buffer = [f"{i},payload-{i:032d}" for i in range(1, rows + 1)]  # all in memory first
sys.stdout.write("\n".join(buffer) + "\n")
PY
echo "done"
