#!/usr/bin/env bash
# The code that uses raw memory (the parameter buffer, prepared-statement handles,
# pipelined lanes, the CSV scanner and COPY) under valgrind's memcheck, on a real
# embedded server. Fails on any invalid read, write or free in the rehearse process.
# (Swift's runtime reports "conditional jump depends on uninitialised value" while
# it builds type metadata; those are known and not rehearse's, so they are counted
# but do not fail the run.) Usage: scripts/memcheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build >/dev/null
work=$(mktemp -d /tmp/rh-memcheck-XXXXXX)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read Swift 6.3's DWARF 5: check a copy without debug information.
strip -g -o "$work/rehearse" .build/debug/rehearse
python3 - "$work/rows.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("id,v\n")
    for i in range(1, 3001):
        f.write(f'{i + 1000},"row {i}, ""quoted"", é\n2nd line"\r\n' if i % 3 == 0 else f"{i + 1000},plain-{i}\n")
PY
cat > "$work/s.yaml" <<'YAML'
name: memcheck-unsafe-paths
steps:
  - name: schema
    sql: "CREATE TABLE t (id bigint PRIMARY KEY, v text); CREATE TABLE c (id int PRIMARY KEY, n int); INSERT INTO c VALUES (1, 0)"
  - name: plain
    workload:
      iterations: 300
      transactions:
        - name: ins
          sql: "INSERT INTO t VALUES ($1, $2) ON CONFLICT DO NOTHING"
          params:
            - {random_int: [-9223372036854775808, 9223372036854775807]}
            - {pick: ["a", "ébc", "a-parameter-longer-than-the-buffer-starts-with-a-parameter-longer-than-the-buffer-starts-with-a-parameter-longer-than-the-buffer-starts-with-a-parameter-longer-than-the-buffer-starts-with-256-bytes"]}
  - name: piped
    workload:
      iterations: 300
      pipeline: 8
      transactions:
        - name: book
          sql: |
            BEGIN;
            UPDATE c SET n = n + 1 WHERE id = 1;
            INSERT INTO t VALUES ($1, 'x');
            COMMIT;
          params: [{random_int: [1, 400]}]
  - name: seed
    seed: {tables: [{table: t, csv: rows.csv}], chunk_rows: 700}
checks:
  - {name: seeded, query: "SELECT count(*) FROM t WHERE v LIKE 'plain-%' OR v LIKE 'row %'", expect: 3000}
YAML
status=0
valgrind --tool=memcheck --soname-synonyms='somalloc=*jemalloc*' --leak-check=no \
  "$work/rehearse" run "$work/s.yaml" --out "$work/out" > "$work/out.txt" 2> "$work/valgrind.txt" || status=$?
cat "$work/out.txt"
invalid=$(grep -cE "Invalid (read|write|free)|Mismatched free|Source and destination overlap" "$work/valgrind.txt" || true)
noise=$(grep -c "Conditional jump or move depends on uninitialised" "$work/valgrind.txt" || true)
echo "memcheck: $invalid invalid accesses; $noise uninitialised-value reports (Swift runtime metadata)"
if [ "$invalid" -gt 0 ]; then
  grep -A12 -E "Invalid (read|write|free)|Mismatched free" "$work/valgrind.txt" | swift demangle --simplified | head -80
  exit 1
fi
exit "$status"
