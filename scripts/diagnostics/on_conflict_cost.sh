#!/usr/bin/env bash
# What `ON CONFLICT DO NOTHING` costs an INSERT of new meter values, on
# PostgreSQL (a throwaway server, psql) and on SQLite (Python's sqlite3): a
# table shaped like `meter_values` with 2 million rows, then 100,000 new
# values in 20 statements of 5,000 (500 series × 10 kinds), with the clause
# and without, twice each, alternated. How docs/PERFORMANCE.md's
# twentieth-session figures for the clause were taken.
#
#   scripts/diagnostics/on_conflict_cost.sh
#
# Loopback only; stops by itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pgdir=$(mktemp -d /tmp/ampere-onconflict.XXXXXX)
trap '"$root/scripts/postgres.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
url=$("$root/scripts/postgres.sh" start "$pgdir")

# $1 table, $2 first batch, $3 the clause or nothing
batches() {
  echo "DO \$\$ BEGIN FOR b IN $2..$(($2 + 19)) LOOP
    INSERT INTO $1 SELECT s, 1000 + b, k, '1234.5'
    FROM generate_series(b * 37 % 500 + 1, b * 37 % 500 + 500) s, generate_series(1, 10) k $3;
  END LOOP; END \$\$;"
}
echo "== PostgreSQL (ms for 100,000 values)"
{
  for table in with_clause without_clause; do
    echo "CREATE TABLE $table (series bigint NOT NULL, ts bigint NOT NULL, kind integer NOT NULL,
      value text NOT NULL, PRIMARY KEY (series, ts, kind));
    INSERT INTO $table SELECT s, t, k, '1234.5'
      FROM generate_series(1, 1000) s, generate_series(1, 200) t, generate_series(1, 10) k;"
  done
  echo "CHECKPOINT;"
  echo '\timing on'
  for first in 1 21; do
    echo '\echo with ON CONFLICT DO NOTHING'
    batches with_clause "$first" "ON CONFLICT DO NOTHING"
    echo '\echo without'
    batches without_clause "$first" ""
  done
} | psql -q "$url" 2>&1 | grep -E "^with|^without|^Time" | paste - - | awk '{ print "  " $1, $(NF-1), "ms" }'

echo "== SQLite (s for 100,000 values)"
python3 - "$pgdir/t.sqlite" <<'PY'
import os, sqlite3, sys, time
path = sys.argv[1]
for conflict in [" ON CONFLICT DO NOTHING", "", " ON CONFLICT DO NOTHING", ""]:
    for suffix in ["", "-wal", "-shm"]:
        if os.path.exists(path + suffix): os.remove(path + suffix)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE mv (series INTEGER NOT NULL, ts INTEGER NOT NULL, kind INTEGER NOT NULL, "
               "value TEXT NOT NULL, PRIMARY KEY (series, ts, kind)) WITHOUT ROWID")
    db.executemany("INSERT INTO mv VALUES (?, ?, ?, ?)",
                   ((s, t, k, "1234.5") for s in range(1000) for t in range(100) for k in range(10)))
    db.commit()
    began = time.time()
    for b in range(20):
        rows = [(s, 1000 + b, k, "1234.5") for s in range(b * 37 % 500, b * 37 % 500 + 500) for k in range(10)]
        db.executemany("INSERT INTO mv SELECT ?, ?, ?, ? WHERE true" + conflict, rows)
    db.commit()
    db.close()
    print(f"  {'with' if conflict else 'without':7} {time.time() - began:.3f} s")
PY
