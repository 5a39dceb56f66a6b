#!/usr/bin/env bash
# Two builds of ampere, alternated, each run against a fresh server on fresh
# SQLite files: the Heartbeat closed loop, and what the message log's writer
# thread costs per frame. How docs/PERFORMANCE.md's nineteenth-session A/B
# figures were taken.
#
#   scripts/diagnostics/ab_throughput.sh OLD_BINARY NEW_BINARY [PAIRS]
#
# Environment (optional): CONNECTIONS (1000), DURATION (18), WARM_UP (3),
# MESSAGE (heartbeat), RATE (round trips/s offered, paced; default 0, the
# closed loop: at a fixed rate the server CPU compares builds where the
# closed loop's rate swings), SERVE_ARGS (extra `ampere serve` options),
# SAMPLES_DIR (a folder: each run's `--samples` CSV goes there, for
# scripts/diagnostics/latency_clusters.py).
#
# Per run it prints round trips/s, p50 and p99, the p99 over the closed
# loop's mean latency (connections / throughput), generator and server CPU,
# and the busiest thread of the server's one-thread writer pools (`TP-#0`,
# the message log's writer under Heartbeats) over 6 s of the measured window,
# as % of a core and µs per logged frame (two frames per round trip).
# Loopback only; each run stops by itself.
set -euo pipefail
old=${1:?old ampere binary}
new=${2:?new ampere binary}
pairs=${3:-3}
connections=${CONNECTIONS:-1000}
duration=${DURATION:-18}
warm_up=${WARM_UP:-3}
message=${MESSAGE:-heartbeat}
rate=${RATE:-0}
work=$(mktemp -d /tmp/ampere-ab.XXXXXX)
. "$(dirname "$0")/../lib.sh"
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

one_run() { # label binary
  local label=$1 binary=$2 port samples=()
  rm -f "$work"/run*
  port=$(free_port)
  # shellcheck disable=SC2086
  "$binary" serve --port "$port" --database "$work/run.sqlite" --log-level warning ${SERVE_ARGS:-} >"$work/serve.log" 2>&1 &
  server=$!
  wait_healthy "$port" || { cat "$work/serve.log" >&2; exit 1; }
  if [ -n "${SAMPLES_DIR:-}" ]; then mkdir -p "$SAMPLES_DIR"; samples=(--samples "$SAMPLES_DIR/$label.csv"); fi
  "$binary" bench throughput --url "ws://127.0.0.1:$port/ocpp" --message "$message" --connections "$connections" --rate "$rate" \
    --duration "$duration" --warm-up "$warm_up" --json --server-pid "$server" "${samples[@]}" >"$work/result.json" &
  local bench=$!
  # 6 s of the measured window: after the boots (a few seconds at most) and the warm-up.
  sleep $((warm_up + 5))
  thread_ticks "$server" | sort >"$work/before"
  sleep 6
  thread_ticks "$server" | sort >"$work/after"
  wait "$bench"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
  local writer
  writer=$(join "$work/before" "$work/after" | awk '$2 == "TP-#0" { d = $5 - $3; if (d > m) m = d } END { print m / 6 + 0 }')
  python3 - "$label" "$work/result.json" "$writer" <<'EOF'
import json, sys
label, path, writer = sys.argv[1], sys.argv[2], float(sys.argv[3])
r = json.load(open(path))
rate, lat = r["roundTripsPerSecond"], r["latencyMs"]
mean = r["connections"] * 1000 / rate if rate else float("nan")
per_frame = writer * 1e4 / (2 * rate) if rate else float("nan")
print(f"{label:8} {rate:8.0f}/s  p50 {lat['p50']:6.1f}  p99 {lat['p99']:6.1f} ms  p99/mean {lat['p99'] / mean:4.2f}  "
      f"generator {r['generatorCPUPercent']:3.0f} %  server {r.get('serverCPUPercent') or 0:3.0f} %  "
      f"log writer {writer:3.0f} % ({per_frame:.2f} µs/frame)")
EOF
}

for pair in $(seq "$pairs"); do
  one_run "old-$pair" "$old"
  one_run "new-$pair" "$new"
done
