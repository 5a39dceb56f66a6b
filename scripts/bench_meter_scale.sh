#!/usr/bin/env bash
# Meter values at scale (issue 5, item 3): a database holding hundreds of millions of sampled
# values, and how long the REST reads that touch them take. The loader fills a fresh database
# the way the server stores values (scripts/meter_scale/load_DATABASE.sql: minute by minute,
# every charging series side by side), then a real `ampere serve` on it answers
# scripts/meter_scale/query_latency.py, which checks every answer and times it:
#   cold   after a restart of the database and the server with the kernel's page cache dropped
#          (as root; otherwise only the database's and the server's own caches are empty)
#   again  new transactions and stations, the caches as the cold pass left them
#   warm   the cold pass's own reads again, everything they touch cached
#
#   scripts/bench_meter_scale.sh                  # PostgreSQL, 200 million values (~10 min to load, 24 GB)
#   DATABASE=sqlite scripts/bench_meter_scale.sh  # the same on SQLite (~5 min, 4.6 GB)
#
# Environment (optional): DATABASE (postgres or sqlite), STATIONS (2000), TRANSACTIONS (166667),
# SAMPLES (120 per transaction, ten values each), BUSY (5000: the transactions of one more station,
# SCALE-BUSY, thirty samples each), QUERIES (200 per read and pass), AMPERE_BIN
# (.build/release/ampere), WORK (a folder; default a new one in /tmp), KEEP (set: leave the data
# in WORK), LOAD_ONLY (set: stop once loaded, keeping the data), REUSE (set: query the data a
# KEEP or LOAD_ONLY run left in WORK, without loading again),
# POSTGRES_URL (a running server to load a new database into, instead of a server of our own,
# which then is not restarted for the cold pass), DROP_CACHES (0: leave the kernel's page cache),
# PRUNE (set: at the end, restart the server with a retention that removes the older half of the
# fleet's values, time that, and time the reads of the newer half meanwhile; then start it once
# more with the same retention and time that prune, which finds only what has aged since).
# Loopback only; stops by itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
bin=${AMPERE_BIN:-$root/.build/release/ampere}
database=${DATABASE:-postgres}
stations=${STATIONS:-2000}
transactions=${TRANSACTIONS:-166667}
samples=${SAMPLES:-120}
busy=${BUSY:-5000}
queries=${QUERIES:-200}
work=${WORK:-$(mktemp -d /tmp/ampere-meter-scale.XXXXXX)}
mkdir -p "$work"
# PostgreSQL runs as the postgres user when we are root: it must be able to reach its folder in here.
chmod 755 "$work"
export AMPERE_ADMIN_EMAIL=scale@example.com AMPERE_ADMIN_PASSWORD=Scale-pass-123
server=
own_postgres=
[ "$database" = postgres ] && [ -z "${POSTGRES_URL:-}" ] && own_postgres=1
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$own_postgres" ]; then "$root/scripts/postgres.sh" stop "$work/pg"; fi
  if [ -z "${KEEP:-}" ]; then
    if [ "$database" = postgres ] && [ -z "$own_postgres" ]; then psql -q "$POSTGRES_URL" -c "DROP DATABASE $name"; fi
    rm -rf "$work"
  fi
}
trap cleanup EXIT

name=scale_$$
case "$database" in
postgres)
  if [ -n "$own_postgres" ] && [ -n "${REUSE:-}" ]; then
    "$root/scripts/postgres.sh" restart "$work/pg"
    base="postgres://ampere@127.0.0.1:$(cat "$work/pg/port")/postgres?sslmode=disable"
    name=$(cat "$work/name")
  elif [ -n "$own_postgres" ]; then
    # Checkpoints far apart while loading: the load writes some 50 GB of WAL otherwise twice over.
    base=$(AMPERE_PG_OPTIONS="${AMPERE_PG_OPTIONS:-} -c max_wal_size=16GB -c checkpoint_timeout=30min" \
      "$root/scripts/postgres.sh" start "$work/pg")
  else
    base=$POSTGRES_URL
  fi
  [ -n "${REUSE:-}" ] || psql -q "$base" -c "CREATE DATABASE $name"
  echo "$name" >"$work/name"
  url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path="/" + sys.argv[2]).geturl())' "$base" "$name")
  ;;
sqlite) url=$work/scale.sqlite ;;
*) echo "DATABASE is postgres or sqlite" >&2; exit 2 ;;
esac

serve() { # starts the server on $url; sets $server and $port
  port=$(free_port)
  # shellcheck disable=SC2086
  "$bin" serve --port "$port" --database "$url" ${extra_serve_args:---log-level warning} >>"$work/serve.log" 2>&1 &
  server=$!
  wait_healthy "$port" || { cat "$work/serve.log" >&2; exit 1; }
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }

# Every transaction's samples of ten values, and SCALE-BUSY's transactions of thirty samples.
total=$((transactions * samples * 10 + busy * 300))

load() { # makes the schema with the server, fills it, and checks the count
  echo "== schema: ampere serve on $database"
  serve
  stop_server

  echo "== loading $total sampled values ($transactions transactions on $stations stations, $busy on SCALE-BUSY)"
  started=$(date +%s)
  if [ "$database" = postgres ]; then
    psql -q "$url" -v stations="$stations" -v transactions="$transactions" -v samples="$samples" -v busy="$busy" \
      -f "$root/scripts/meter_scale/load_postgres.sql" 2>&1 | sed -u 's/^psql:[^ ]* NOTICE:  //' \
      | { grep --line-buffered -v '^ *setval\|^-*$\|^ *[0-9]*$\|^(1 row)$' || true; }
    sizes=$(psql -qAt "$url" -c "SELECT count(*), pg_relation_size('meter_values'), pg_indexes_size('meter_values')
        FROM meter_values")
  else
    {
      echo ".parameter set :stations $stations"
      echo ".parameter set :transactions $transactions"
      echo ".parameter set :samples $samples"
      echo ".parameter set :busy $busy"
      echo ".read $root/scripts/meter_scale/load_sqlite.sql"
      echo ".read $root/scripts/meter_scale/load_kinds.sql"
      echo ".read $root/scripts/meter_scale/load_busy.sql"
      round=$((stations * 2)) lo=1
      while [ "$lo" -le "$transactions" ]; do
        hi=$(((lo / round + 1) * round - 1)); [ "$hi" -gt "$transactions" ] && hi=$transactions
        echo ".parameter set :lo $lo"
        echo ".parameter set :hi $hi"
        echo ".read $root/scripts/meter_scale/load_sqlite_round.sql"
        echo ".print $((hi * samples * 10)) of $((transactions * samples * 10)) values stored"
        lo=$((hi + 1))
      done
    } | sqlite3 "$url"
    # A WITHOUT ROWID table is its primary key's b-tree: no index beside it.
    sizes=$(sqlite3 "$url" "PRAGMA wal_checkpoint(TRUNCATE)" \
      "SELECT count(*), (SELECT sum(pgsize) FROM dbstat WHERE name = 'meter_values'), 0 FROM meter_values" | tail -1)
  fi
  IFS='|' read -r count heap index <<<"$sizes"
  echo "loaded $count values in $(($(date +%s) - started)) s; meter_values $((heap / 1048576)) MiB + indexes $((index / 1048576)) MiB = $(((heap + index) / count)) bytes per value"
  [ "$count" = "$total" ] || { echo "expected $total values" >&2; exit 1; }
}

if [ -z "${REUSE:-}" ]; then
  load
  if [ -n "${LOAD_ONLY:-}" ]; then KEEP=1; exit 0; fi
fi

drop=
[ "${DROP_CACHES:-1}" != 0 ] && [ -w /proc/sys/vm/drop_caches ] && drop=1
echo "== cold: $([ -n "$own_postgres" ] && echo "database and ")server restarted$([ -n "$drop" ] && echo ", page cache dropped")"
if [ -n "$own_postgres" ] && [ -z "${REUSE:-}" ]; then "$root/scripts/postgres.sh" restart "$work/pg"; fi
sync
if [ -n "$drop" ]; then echo 3 >/proc/sys/vm/drop_caches; fi
serve
query() { python3 "$root/scripts/meter_scale/query_latency.py" "http://127.0.0.1:$port" "$AMPERE_ADMIN_EMAIL" \
  "$AMPERE_ADMIN_PASSWORD" --stations "$stations" --transactions "$transactions" --samples "$samples" \
  --busy "$busy" --queries "$queries" "$@"; }
query --seed 1 --label cold
echo "== again: other transactions and stations"
query --seed 2 --label again
echo "== warm: the cold pass's transactions and stations once more"
query --seed 1 --label warm
stop_server

if [ -n "${PRUNE:-}" ]; then
  # Retention at this size: the server started with the days that put its cutoff halfway through
  # the fleet's values (the loader's transactions start on 2025-01-01, one round of them every
  # three hours), the reads timed again while it removes the older half.
  rounds=$((transactions / (stations * 2)))
  half=$((1735689600000 + rounds / 2 * 10800000))
  days=$(python3 -c "import sys, time; print(int((time.time() * 1000 - int(sys.argv[1])) // 86400000))" "$half")
  echo "== prune: --meter-value-retention-days $days removes the values older than that, the reads meanwhile"
  # Each prune logs one line with its length: at info with what it removed, at debug when nothing.
  prunes="pruned meter values\|no meter values to prune"
  next_prune() { # waits at most $1 s for a prune line beyond the $2 the log held; prints it
    local waited
    for ((waited = 0; ; waited++)); do
      [ "$(grep -c "$prunes" "$work/serve.log")" -gt "$2" ] && break
      kill -0 "$server" || { cat "$work/serve.log" >&2; exit 1; }
      [ "$waited" -lt "$1" ] || { echo "no prune within $1 s" >&2; exit 1; }
      sleep 1
    done
    grep "$prunes" "$work/serve.log" | tail -1
  }
  removed_by() { if grep -q "removed=" <<<"$1"; then sed 's/.*removed=\([0-9]*\).*/\1/' <<<"$1"; else echo 0; fi; }
  extra_serve_args="--meter-value-retention-days $days --log-level info"
  before=$(date +%s.%N)
  lines=$(grep -c "$prunes" "$work/serve.log" || true)
  serve
  # Transactions that start a day and more after the halfway point keep all their values; the
  # busy station's history may be pruned whole (its own reads are the passes above).
  query --seed 3 --label pruning --from-transaction $(((rounds / 2 + 9) * stations * 2)) --busy 0
  first=$(next_prune 7200 "$lines")
  removed=$(removed_by "$first")
  echo "pruned $removed values in $(python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 1))" "$before") s (from the server's start)"
  stop_server
  # The hourly prunes after it find only what has aged since: the same retention once more
  # times one, its length as the server logs it.
  lines=$(grep -c "$prunes" "$work/serve.log")
  extra_serve_args="--meter-value-retention-days $days --log-level debug"
  serve
  next=$(next_prune 3600 "$lines")
  stop_server
  aged=$(removed_by "$next")
  echo "the next prune: $aged values aged since, removed in $(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$next") s"
  removed=$((removed + aged))
  if [ "$database" = postgres ]; then
    left=$(psql -qAt "$url" -c "SELECT count(*), min(ts) FROM meter_values")
  else
    left=$(sqlite3 "$url" "SELECT count(*), min(ts) FROM meter_values")
  fi
  IFS='|' read -r count oldest <<<"$left"
  echo "left $count values, the oldest at $(python3 -c "import sys, datetime; print(datetime.datetime.fromtimestamp(int(sys.argv[1]) / 1000, datetime.timezone.utc).isoformat())" "$oldest")"
  [ $((count + removed)) = "$total" ] || { echo "$count left and $removed removed are not the $total loaded" >&2; exit 1; }
fi
