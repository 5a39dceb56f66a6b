#!/usr/bin/env bash
# Side-by-side load figures: the same `ampere bench` scenarios, in one run,
# against Ampere and against a peer central system built on the Python `ocpp`
# package (bench/peer/peer_cs.py), then a table of the ratios.
#
#   scripts/bench_peer.sh                       # 1000 connections, 20 s each
#   AMPERE_BIN=/path/ampere CONNECTIONS=50 DURATION=3 scripts/bench_peer.sh
#
# Environment (all optional):
#   AMPERE_BIN         the ampere binary: server and load generator
#                      (default .build/release/ampere under the repo root)
#   SCENARIOS          scenario names, space separated
#                      (default "throughput-heartbeat throughput-meter-values"; also
#                      paced-heartbeat and paced-meter-values: the same calls at
#                      PACED_RATE per second in all, default 2000 and 500, on a
#                      fixed schedule, so both servers' latency is taken at the
#                      same load; boot-storm; connect)
#   SERVERS            which servers, in order (default "ampere peer")
#   CONNECTIONS        connections per scenario (default 1000)
#   DURATION           measured seconds per scenario (default 20)
#   WARM_UP            seconds before those of each throughput scenario whose calls
#                      go out unmeasured (`bench throughput --warm-up`; default 0)
#   RESULTS            results folder (default bench-results under the repo root)
#   PAUSE              seconds between two loads (default 3)
#   AMPERE_SERVE_ARGS  extra `ampere serve` options (default "--log-level warning",
#                      as the peer logs at WARNING)
#   AMPERE_PEER_VENV   Python venv for the peer (default .venv-peer under the
#                      repo root; created and filled from bench/peer/requirements.txt)
#
# Everything runs on 127.0.0.1 and every load has a duration. Needs PyPI the
# first time (the venv); servers are stopped on exit.
set -euo pipefail
caller=$(pwd)
cd "$(dirname "$0")/.."
root=$(pwd)

abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$caller/$1" ;; esac; }

AMPERE_BIN=$(abspath "${AMPERE_BIN:-$root/.build/release/ampere}")
SCENARIOS=${SCENARIOS:-"throughput-heartbeat throughput-meter-values"}
SERVERS=${SERVERS:-"ampere peer"}
CONNECTIONS=${CONNECTIONS:-1000}
DURATION=${DURATION:-20}
WARM_UP=${WARM_UP:-0}
RESULTS=$(abspath "${RESULTS:-$root/bench-results}")
PAUSE=${PAUSE:-3}
AMPERE_SERVE_ARGS=${AMPERE_SERVE_ARGS:---log-level warning}
venv=$(abspath "${AMPERE_PEER_VENV:-$root/.venv-peer}")
admin_email=admin@example.com
admin_password=Secret-pass-123

# ---------------------------------------------------------------------------
# The one place where a scenario name becomes an `ampere bench` command line.
# $1 scenario, $2 OCPP endpoint without the id (ws://127.0.0.1:PORT/ocpp).
# Sets bench_args; `--server-pid PID --json` are added by the caller.
scenario_args() {
  local url=$2
  # The throughput scenarios' window: the warm-up, then DURATION measured.
  local window
  window=$(awk -v d="$DURATION" -v w="$WARM_UP" 'BEGIN { print d + w }')
  local throughput=(throughput --url "$url" --connections "$CONNECTIONS" --duration "$window" --warm-up "$WARM_UP")
  case $1 in
    throughput-heartbeat) bench_args=("${throughput[@]}" --message heartbeat) ;;
    throughput-meter-values) bench_args=("${throughput[@]}" --message meter-values) ;;
    paced-heartbeat) bench_args=("${throughput[@]}" --message heartbeat --rate "${PACED_RATE:-2000}") ;;
    paced-meter-values) bench_args=("${throughput[@]}" --message meter-values --rate "${PACED_RATE:-500}") ;;
    boot-storm)
      bench_args=(boot-storm --url "$url" --stations "$CONNECTIONS" --rate "${BOOT_RATE:-1000}") ;;
    connect)
      bench_args=(connect --url "$url" --stations "$CONNECTIONS" --rate "${BOOT_RATE:-1000}" --hold "$DURATION") ;;
    *) return 1 ;;
  esac
}
# ---------------------------------------------------------------------------

die() { echo "bench_peer: $*" >&2; exit 1; }

[ -x "$AMPERE_BIN" ] || die "AMPERE_BIN=$AMPERE_BIN is not an executable file (swift build -c release --product ampere)"
for scenario in $SCENARIOS; do
  scenario_args "$scenario" ws://127.0.0.1:1/ocpp || die "unknown scenario '$scenario' (see scenario_args in $0)"
  "$AMPERE_BIN" bench "${bench_args[0]}" --help >/dev/null 2>&1 \
    || die "$AMPERE_BIN has no 'bench ${bench_args[0]}' (scenario $scenario)"
done
for server in $SERVERS; do
  case $server in ampere|peer) ;; *) die "unknown server '$server' (ampere or peer)" ;; esac
done

# Many connections: one descriptor each, in the generator and in the server.
if ! ulimit -n 20000 2>/dev/null; then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  echo "bench_peer: could not raise ulimit -n to 20000; it is $(ulimit -n)" >&2
fi

echo "== python venv for the peer ($venv)"
if ! [ -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian's python3 ships venv separately.
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
fi
py="$venv/bin/python"
"$py" -m pip install --quiet --disable-pip-version-check -r bench/peer/requirements.txt

mkdir -p "$RESULTS"
work=$(mktemp -d "${TMPDIR:-/tmp}/ampere-bench-peer.XXXXXX")

declare -A pid=() port=()
stop_servers() {
  local name p
  for name in "${!pid[@]}"; do
    p=${pid[$name]}
    kill -TERM "$p" 2>/dev/null || continue
    for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then
      echo "bench_peer: $name (pid $p) did not stop within 15 s; SIGKILL" >&2
      kill -KILL "$p" 2>/dev/null || true
    fi
    wait "$p" 2>/dev/null || true
    unset "pid[$name]"
  done
  rm -rf "$work"
}
trap stop_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# $1 name, $2 pid, $3 log, then the Python condition on `port`/`log` that means "ready".
wait_ready() {
  local name=$1 p=$2 log=$3 check=$4
  "$py" - "$p" "$log" "${port[$name]}" "$check" <<'EOF' || { echo "--- $name log:" >&2; tail -n 30 "$log" >&2; die "$name did not get ready"; }
import os, sys, time, urllib.request
pid, log, port, check = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("server exited before it was ready")
    if check == "healthz":
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    sys.exit(0)
        except Exception:
            pass
    elif "listening" in open(log, errors="replace").read():
        sys.exit(0)
    time.sleep(0.1)
sys.exit("not ready within 60 s")
EOF
}

start_server() {
  local name=$1 log="$RESULTS/$1.log"
  port[$name]=$(free_port)
  case $name in
    ampere)
      # shellcheck disable=SC2086  # AMPERE_SERVE_ARGS is a list of options
      AMPERE_ADMIN_EMAIL=$admin_email AMPERE_ADMIN_PASSWORD=$admin_password \
        "$AMPERE_BIN" serve --host 127.0.0.1 --port "${port[$name]}" --database "$work/ampere.sqlite" \
        $AMPERE_SERVE_ARGS </dev/null >"$log" 2>&1 &
      pid[$name]=$!
      wait_ready "$name" "${pid[$name]}" "$log" healthz ;;
    peer)
      "$py" bench/peer/peer_cs.py --host 127.0.0.1 --port "${port[$name]}" </dev/null >"$log" 2>&1 &
      pid[$name]=$!
      wait_ready "$name" "${pid[$name]}" "$log" listening ;;
  esac
  echo "   $name: pid ${pid[$name]}, ws://127.0.0.1:${port[$name]}/ocpp, log $log"
}

echo "== servers"
for server in $SERVERS; do start_server "$server"; done

# Bounded: the generator waits at most 120 s for the boots, then DURATION, then 10 s call timeouts.
limit=$(awk -v d="$DURATION" 'BEGIN { printf "%d", d + 300 }')
failed=()
for scenario in $SCENARIOS; do
  for server in $SERVERS; do
    sleep "$PAUSE"
    scenario_args "$scenario" "ws://127.0.0.1:${port[$server]}/ocpp"
    out="$RESULTS/$server-$scenario.json"
    echo "== $scenario against $server ($CONNECTIONS connections, ${DURATION} s)"
    if ! kill -0 "${pid[$server]}" 2>/dev/null; then
      echo "   $server is no longer running (see $RESULTS/$server.log)" >&2
      failed+=("$server-$scenario"); rm -f "$out"; continue
    fi
    if timeout --kill-after=10 "$limit" "$AMPERE_BIN" bench "${bench_args[@]}" --server-pid "${pid[$server]}" --json \
      >"$out" 2>"$work/stderr"; then
      "$py" -c 'import json, sys; r = json.load(open(sys.argv[1])); c = (r.get("calls") or [{}])[0]; print("   %.0f round trips/s, p99 %.2f ms, errors %d, timeouts %d" % (r.get("roundTripsPerSecond", c.get("perSecond", 0)), r.get("latencyMs", c.get("latencyMs", {})).get("p99", 0), r.get("errors", c.get("errors", 0)), r.get("timeouts", c.get("timeouts", 0))))' "$out" || true
    else
      echo "   failed (exit $?)" >&2
      failed+=("$server-$scenario")
    fi
    if [ -s "$work/stderr" ]; then cp "$work/stderr" "$RESULTS/$server-$scenario.stderr"; tail -n 5 "$work/stderr" >&2; fi
  done
done

# What the figures were taken with.
"$py" - "$RESULTS/meta.json" "$AMPERE_BIN" "$CONNECTIONS" "$DURATION" "$SCENARIOS" "$SERVERS" "$AMPERE_SERVE_ARGS" <<'EOF'
import json, os, platform, sys, time
from importlib.metadata import version
path, binary, connections, duration, scenarios, servers, serve_args = sys.argv[1:]
json.dump({
    "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "ampereBin": binary, "connections": int(connections),
    "duration": float(duration), "scenarios": scenarios.split(), "servers": servers.split(),
    "ampereServeArgs": serve_args, "cpus": os.cpu_count(), "machine": platform.platform(),
    "python": platform.python_version(), "ocpp": version("ocpp"), "websockets": version("websockets"),
}, open(path, "w"), indent=2)
EOF

echo
echo "== comparison (results in $RESULTS)"
"$py" - "$RESULTS" "$SCENARIOS" <<'EOF' | tee "$RESULTS/summary.md"
import json, os, sys
results, scenarios = sys.argv[1], sys.argv[2].split()

def load(server, scenario):
    try:
        with open(os.path.join(results, f"{server}-{scenario}.json")) as f:
            result = json.load(f)
    except (OSError, ValueError):
        return None
    # Station scenarios (connect, boot-storm) report per call: take their BootNotification row.
    if "calls" in result:
        row = next((c for c in result["calls"] if c.get("call") == "BootNotification"), (result["calls"] or [{}])[0])
        result.update(
            roundTripsPerSecond=row.get("perSecond"), latencyMs=row.get("latencyMs", {}),
            errors=row.get("errors", 0), timeouts=row.get("timeouts", 0), connections=result.get("stations"))
        for figure in result.get("figures", []):
            result[figure["name"]] = figure["value"]
    return result

def num(value, fmt):
    return format(value, fmt) if isinstance(value, (int, float)) else "–"

def ratio(a, b):
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b <= 0:
        return "–"
    return f"{a / b:.2f}×"

def kib(value):
    return value / 1024 if isinstance(value, (int, float)) else None

def mib(value):
    return num(value / 1048576, ".0f") if isinstance(value, (int, float)) else "–"

head = ["scenario", "conns", "ampere rt/s", "peer rt/s", "ampere/peer",
        "ampere p99 ms", "peer p99 ms", "peer/ampere",
        "ampere RSS MiB", "peer RSS MiB", "ampere CPU %", "peer CPU %",
        "gen CPU % (ampere run / peer run)", "errors+timeouts (ampere / peer)",
        "RSS growth KiB/session (ampere / peer)"]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for scenario in scenarios:
    a, p = load("ampere", scenario) or {}, load("peer", scenario) or {}
    a_rt, p_rt = a.get("roundTripsPerSecond"), p.get("roundTripsPerSecond")
    a_p99, p_p99 = a.get("latencyMs", {}).get("p99"), p.get("latencyMs", {}).get("p99")
    def bad(r):
        return f"{r['errors'] + r['timeouts']}" if "errors" in r else "–"
    row = [scenario, str(a.get("connections") or p.get("connections") or "–"),
           num(a_rt, ",.0f"), num(p_rt, ",.0f"), ratio(a_rt, p_rt),
           num(a_p99, ".2f"), num(p_p99, ".2f"), ratio(p_p99, a_p99),
           mib(a.get("serverRSSBytes")), mib(p.get("serverRSSBytes")),
           num(a.get("serverCPUPercent"), ".0f"), num(p.get("serverCPUPercent"), ".0f"),
           f"{num(a.get('generatorCPUPercent'), '.0f')} / {num(p.get('generatorCPUPercent'), '.0f')}",
           f"{bad(a)} / {bad(p)}",
           f"{num(kib(a.get('rssGrowthPerSessionBytes')), '.1f')} / {num(kib(p.get('rssGrowthPerSessionBytes')), '.1f')}"]
    print("| " + " | ".join(row) + " |")
EOF

if [ ${#failed[@]} -gt 0 ]; then
  echo "bench_peer: runs that failed: ${failed[*]}" >&2
  exit 1
fi
