#!/usr/bin/env bash
# Where the CPU goes while PostgreSQL stores MeterValues: one closed-loop run
# (`bench throughput --message meter-values`, 1,000 connections, 20 s) per
# binary given, alternated when several, each against a fresh database of one
# throwaway PostgreSQL server. How docs/PERFORMANCE.md's twentieth-session
# PostgreSQL figures were taken.
#
#   scripts/diagnostics/postgres_cpu.sh BINARY [BINARY…]
#
# Environment (optional): ROUNDS (1), DURATION (20), PERF (set: `perf record
# -a -g` over the sampled seconds, into $PERF).
#
# Per run: the machine's idle share, PostgreSQL's CPU (all its processes) and
# the server's, over 6 s from the 8th second; PostgreSQL's busiest backends;
# the writers' counters from /metrics (a rerun is a batch whose first pass
# failed); the bench's table; and the rows stored. Loopback only; each run
# stops by itself.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BINARY [BINARY…]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib.sh"
pgdir=$(mktemp -d /tmp/ampere-pgcpu.XXXXXX)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; "$root/scripts/postgres.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
url=$("$root/scripts/postgres.sh" start "$pgdir")
ulimit -n 20000 2>/dev/null || true

backends() { for p in $(postgres_pids "$pgdir"); do echo "$p $(cpu_ticks "$p")"; done; }

run() {
  local bin=$1 db=mv$RANDOM port before after
  psql -q "$url" -c "CREATE DATABASE $db"
  local dburl=${url/\/postgres?//$db?}
  port=$(free_port)
  "$bin" serve --port "$port" --database "$dburl" --log-level warning >"$pgdir/serve.log" 2>&1 &
  server=$!
  wait_healthy "$port" || { cat "$pgdir/serve.log" >&2; exit 1; }
  "$bin" bench throughput --url "ws://127.0.0.1:$port/ocpp" --connections 1000 --duration "${DURATION:-20}" \
    --message meter-values --server-pid "$server" >"$pgdir/bench.txt" 2>&1 &
  local bench=$!
  sleep 8
  backends >"$pgdir/before"
  local s1; s1=$(cpu_ticks "$server")
  local i1; i1=$(idle_ticks)
  local t0; t0=$(date +%s.%N)
  if [ -n "${PERF:-}" ]; then perf record -a -g -o "$PERF" -- sleep 6 >/dev/null 2>&1; else sleep 6; fi
  local t1; t1=$(date +%s.%N)
  local i2; i2=$(idle_ticks)
  local s2; s2=$(cpu_ticks "$server")
  for p in $(cut -d' ' -f1 "$pgdir/before"); do
    echo "$p $(cpu_ticks "$p") $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
  done >"$pgdir/after"
  wait "$bench" || true
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^ampere_storage_(reruns|commits)_total' | tr '\n' ' '; echo
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  python3 - "$t0" "$t1" "$i1" "$i2" "$s1" "$s2" "$pgdir/before" "$pgdir/after" <<'PY'
import sys
t0, t1, i1, i2, s1, s2 = map(float, sys.argv[1:7])
seconds = t1 - t0
before = dict(line.split()[:2] for line in open(sys.argv[7]))
total, rows = 0, []
for line in open(sys.argv[8]):
    parts = line.split(maxsplit=2)
    used = (float(parts[1]) - float(before.get(parts[0], parts[1]))) / seconds
    total += used
    rows.append((used, parts[2].strip() if len(parts) > 2 else "?"))
print(f"idle {(i2 - i1) / seconds:.0f} %  PostgreSQL {total:.0f} %  server {(s2 - s1) / seconds:.0f} % (of a core)")
for used, name in sorted(rows, reverse=True)[:3]:
    if used >= 5: print(f"  {used:5.0f} %  {name}")
PY
  grep -E 'throughput-meter-values' "$pgdir/bench.txt"
  psql -qAt "$dburl" -c "SELECT 'stored sampled values: ' || count(*) FROM meter_values"
  psql -q "$url" -c "DROP DATABASE $db"
}

for _ in $(seq 1 "${ROUNDS:-1}"); do
  for bin in "$@"; do echo "== $bin"; run "$bin"; done
done
