#!/usr/bin/env bash
# The server's CPU while 5,000 of 10,000 stations drop at once (issue 4,
# target 6): `perf record` of the server around the drop, then its CPU over
# the busiest half second, split between the event loops, the task pool and
# the other threads (SQLite). Nobody comes back within the capture (backoff 40 s).
#   scripts/drop_profile.sh
#   AMPERE_BIN  the binary (default .build/release/ampere)
#   PERF_DATA   where perf's data goes (default: a temporary file, removed)
# Needs perf (Debian: linux-perf) and permission to trace the server.
# Bounded: 10 s of boots at 1,000/s, 20 s of warm-up, 2 s captured, then both stop.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
bin=${AMPERE_BIN:-$(pwd)/.build/release/ampere}
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d /tmp/ampere-drop-profile.XXXXXX)
data=${PERF_DATA:-$work/perf.data}
server="" storm=""
cleanup() {
  [ -n "$storm" ] && kill "$storm" 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
port=$(free_port)
"$bin" serve --port "$port" --database "$work/drop.sqlite" --log-level warning >"$work/server.log" 2>&1 &
server=$!
wait_healthy "$port" || { echo "the server did not start" >&2; exit 1; }
"$bin" bench reconnect-storm --url "ws://127.0.0.1:$port/ocpp" --stations 10000 --rate 1000 --charging 0.3 \
  --heartbeat-interval 30 --meter-interval 30 --warmup 20 --backoff 40 --backoff-max 40 --hold 5 \
  --server-pid "$server" >"$work/storm.txt" 2>&1 &
storm=$!
# The drop comes after the boots (10 s) and the warm-up (20 s).
sleep 29.5
perf record -F 2000 -g -p "$server" -o "$data" -- sleep 2 >/dev/null 2>&1
# perf samples at 2 kHz: two samples are a millisecond of one core.
perf script -i "$data" -F comm,time 2>/dev/null | awk '
{ t = $NF; sub(":", "", t); c = $1; for (i = 2; i < NF; i++) c = c " " $i
  b = int(t * 100); n[b]++
  if (c ~ /NIO-SGLTN/) loops[b]++; else if (c ~ /qos/) pool[b]++; else other[b]++ }
END {
  best = 0
  for (b in n) { s = 0; for (k = b; k < b + 50; k++) s += n[k]; if (s > best) { best = s; start = b } }
  l = 0; p = 0; o = 0
  for (k = start; k < start + 50; k++) { l += loops[k]; p += pool[k]; o += other[k] }
  printf "server CPU over the busiest 0.5 s of the drop: %.1f ms (event loops %.1f ms, task pool %.1f ms, other threads %.1f ms)\n", best / 2, l / 2, p / 2, o / 2
}'
