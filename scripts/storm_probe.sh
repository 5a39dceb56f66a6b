#!/usr/bin/env bash
# The reconnect storm (issue 4, target 6) with the stations that stay connected
# measured from a second process as well: 100 probe stations heartbeating once
# a second through the drop, in a generator of their own, so that their
# latency is the server's and not the storm generator's own queueing.
#   scripts/storm_probe.sh [RATE]   RATE: the server's --max-connection-rate and
#                                   the generator's connect rate (default 1000,
#                                   0 = the server does not pace)
#   AMPERE_BIN  the binary (default .build/release/ampere)
#   SERVER_LOG  where the server's log goes (default: a temporary file, removed)
#   BACKOFF     seconds before a dropped station first tries again (default 1);
#               40 keeps the reconnections out of the probe's window: the drop alone
#   PROBE_LEAD  seconds the probe starts before the drop (default 3)
#   PROBE_SECONDS  how long the probe measures (default 20); 8 with a lead of 1
#               fits the window to a storm paced at 1,000/s, so that its p99 is
#               the storm's and not diluted by quiet seconds
# Bounded: 10,000 stations, 20 s of warm-up, the probe measures 20 s. The storm's
# fleet carries on for 20 s after it drained (--hold) before it stops charging and
# closes, so that this ending (3,000 StopTransactions and 10,000 closes at once) is
# not in the probe's window.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
bin=${AMPERE_BIN:-$(pwd)/.build/release/ampere}
rate=${1:-1000}
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d /tmp/ampere-storm-probe.XXXXXX)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(free_port)
pacing=$rate
"$bin" serve --port "$port" --database "$work/storm.sqlite" --log-level warning --max-connection-rate "$pacing" \
  >"${SERVER_LOG:-$work/server.log}" 2>&1 &
server=$!
wait_healthy "$port" || { echo "the server did not start" >&2; exit 1; }
connect_rate=$rate
[ "$connect_rate" = 0 ] && connect_rate=1000
"$bin" bench reconnect-storm --url "ws://127.0.0.1:$port/ocpp" --stations 10000 --rate "$connect_rate" \
  --charging 0.3 --heartbeat-interval 30 --meter-interval 30 --warmup 20 --backoff "${BACKOFF:-1}" --backoff-max "$(( ${BACKOFF:-1} > 30 ? ${BACKOFF:-1} : 30 ))" --hold 20 \
  --server-pid "$server" >"$work/storm.txt" 2>&1 &
storm=$!
# The drop comes after the boots (10,000 / rate seconds) and the warm-up; the probe starts PROBE_LEAD s before it.
lead=${PROBE_LEAD:-3}
sleep "$(python3 -c "print(max(1, 10000 / $connect_rate + 20 - $lead))")"
"$bin" bench steady --url "ws://127.0.0.1:$port/ocpp" --stations 100 --rate 0 --heartbeat-interval 1 --charging 0 \
  --duration "${PROBE_SECONDS:-20}" --id-prefix PROBE >"$work/probe.txt" 2>&1 &
probe=$!
status=0
wait "$storm" || status=$?
wait "$probe" || status=$?
echo "== reconnect-storm, server --max-connection-rate $pacing, generator --rate $connect_rate"
grep -v '^$' "$work/storm.txt"
echo "== probe: 100 stations in a process of their own, across the drop"
grep -v '^$' "$work/probe.txt"
exit "$status"
