#!/usr/bin/env bash
# Runs the load scenarios behind the figures in docs/PERFORMANCE.md, each
# against a fresh `ampere serve` on loopback, and keeps every table in
# $RESULTS (default bench-results/figures). Bounded: every run has a size and
# a duration. Takes about 30 minutes with the defaults.
#   AMPERE_BIN   the binary (default .build/release/ampere)
#   ONLY         a space-separated subset of: empty connect boot-storm steady
#                throughput ingestion reconnect-storm commands postgres postgres-bursts routed failover
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${AMPERE_BIN:-$root/.build/release/ampere}
results=${RESULTS:-$root/bench-results/figures}
only=${ONLY:-empty connect boot-storm steady throughput ingestion reconnect-storm commands postgres postgres-bursts routed failover}
mkdir -p "$results"
work=$(mktemp -d /tmp/ampere-figures.XXXXXX)
export AMPERE_ADMIN_EMAIL=bench@example.com AMPERE_ADMIN_PASSWORD=Bench-pass-123
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
pids=()
pgdir=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$pgdir" ]; then "$root/scripts/postgres.sh" stop "$pgdir"; rm -rf "$pgdir"; fi
  pkill -f "nginx -p $work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

. "$root/scripts/lib.sh"

# start_server NAME DATABASE [options…]: sets $port and $pid.
start_server() {
  local name=$1 database=$2; shift 2
  port=$(free_port)
  "$bin" serve --port "$port" --database "$database" --log-level warning "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_healthy "$port" && return 0
  echo "server $name did not start" >&2; cat "$work/$name.log" >&2; exit 1
}

stop_server() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

run() { # run NAME bench-args…: prints and keeps the table
  local name=$1; shift
  echo "== $name: ampere bench $*" | tee "$results/$name.txt"
  "$bin" bench "$@" 2>&1 | tee -a "$results/$name.txt" || echo "(exit $?)" | tee -a "$results/$name.txt"
}

want() { [[ " $only " == *" $1 "* ]]; }

if want empty; then
  echo "== empty: readiness and RSS" | tee "$results/empty.txt"
  port=$(free_port)
  start=$(date +%s.%N)
  "$bin" serve --port "$port" --database "$work/empty.sqlite" --log-level warning >"$work/empty.log" 2>&1 &
  pid=$!; pids+=("$pid")
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.01; done
  ready=$(date +%s.%N)
  sleep 2
  echo "ready after $(python3 -c "print(round($ready - $start, 3))") s (first start, schema created); RSS $(grep VmRSS /proc/$pid/status)" \
    | tee -a "$results/empty.txt"
  stop_server
fi

if want connect; then
  start_server connect "$work/connect.sqlite"
  # 1,000/s: the server's default --max-connection-rate; faster, the last upgrades would wait near the 10 s connect timeout.
  run connect connect --url "ws://127.0.0.1:$port/ocpp" --stations 19000 --rate 1000 --hold 10 --server-pid "$pid"
  stop_server
fi

if want boot-storm; then
  start_server boot "$work/boot.sqlite"
  run boot-storm boot-storm --url "ws://127.0.0.1:$port/ocpp" --stations 10000 --rate 1000 --server-pid "$pid"
  stop_server
fi

if want steady; then
  start_server steady "$work/steady.sqlite"
  run steady steady --url "ws://127.0.0.1:$port/ocpp" --stations 10000 --rate 1000 --charging 0.3 \
    --meter-interval 30 --duration 120 --server-pid "$pid"
  stop_server
fi

if want throughput; then
  start_server throughput "$work/throughput.sqlite"
  run throughput-heartbeat throughput --url "ws://127.0.0.1:$port/ocpp" --connections 1000 --duration 20 \
    --message heartbeat --server-pid "$pid"
  run throughput-meter-values throughput --url "ws://127.0.0.1:$port/ocpp" --connections 1000 --duration 20 \
    --message meter-values --server-pid "$pid"
  stop_server
fi

if want ingestion; then
  # The message log off: the figure is the meter values' own cost on disk.
  start_server ingestion "$work/ingestion.sqlite" --message-log-retention-days 0
  run ingestion steady --url "ws://127.0.0.1:$port/ocpp" --stations 2000 --rate 1000 --charging 1 \
    --meter-interval 1 --heartbeat-interval 300 --duration "${INGESTION_SECONDS:-600}" --server-pid "$pid"
  stop_server
  python3 - "$work/ingestion.sqlite" <<'EOF' | tee -a "$results/ingestion.txt"
import os, sqlite3, sys
path = sys.argv[1]
db = sqlite3.connect(path)
values = db.execute("SELECT COUNT(*) FROM meter_values").fetchone()[0]
size = os.path.getsize(path)
print(f"stored sampled values: {values}; database file {size} bytes; {size / max(values, 1):.1f} bytes per value (every table and index)")
EOF
fi

if want reconnect-storm; then
  start_server storm "$work/storm.sqlite"
  run reconnect-storm reconnect-storm --url "ws://127.0.0.1:$port/ocpp" --stations 10000 --rate 1000 \
    --charging 0.3 --server-pid "$pid" --email "$AMPERE_ADMIN_EMAIL" --password "$AMPERE_ADMIN_PASSWORD"
  stop_server
fi

if want commands; then
  start_server commands "$work/commands.sqlite"
  run commands commands --url "ws://127.0.0.1:$port/ocpp" --stations 10000 --rate 1000 --calls 2000 \
    --server-pid "$pid" --email "$AMPERE_ADMIN_EMAIL" --password "$AMPERE_ADMIN_PASSWORD"
  stop_server
fi

if want postgres || want postgres-bursts || want routed || want failover; then
  # A folder of its own: PostgreSQL runs as the postgres user, who cannot enter $work.
  pgdir=$(mktemp -d /tmp/ampere-figures-pg.XXXXXX)
  pgurl=$("$root/scripts/postgres.sh" start "$pgdir")
  database() { psql -q "$pgurl" -c "CREATE DATABASE $1" >/dev/null; echo "${pgurl/\/postgres?//$1?}"; }
fi

if want postgres; then
  # MeterValues persisted: SQLite then PostgreSQL, same run, same load.
  start_server mv-sqlite "$work/mv.sqlite"
  run mv-sqlite throughput --url "ws://127.0.0.1:$port/ocpp" --connections 1000 --duration 20 \
    --message meter-values --server-pid "$pid"
  stop_server
  mvurl=$(database mv)
  start_server mv-postgres "$mvurl"
  run mv-postgres throughput --url "ws://127.0.0.1:$port/ocpp" --connections 1000 --duration 20 \
    --message meter-values --server-pid "$pid"
  stop_server
  psql -qAt "$mvurl" -c "SELECT 'stored sampled values: ' || count(*) || '; meter_values with its index '
      || pg_total_relation_size('meter_values') || ' bytes; '
      || round(pg_total_relation_size('meter_values')::numeric / greatest(count(*), 1), 1) || ' bytes per value'
      FROM meter_values" | tee -a "$results/mv-postgres.txt"
fi

if want postgres-bursts; then
  # Bursts of writes on PostgreSQL: 5,000 new stations booting at 1,000/s, the same 5,000 again
  # (stored already), then 2,000 stations all charging (their starts and stops in bursts).
  start_server pg-boot-storm "$(database bursts)"
  run pg-boot-storm-new boot-storm --url "ws://127.0.0.1:$port/ocpp" --stations 5000 --rate 1000 \
    --id-prefix BURST --server-pid "$pid"
  run pg-boot-storm-known boot-storm --url "ws://127.0.0.1:$port/ocpp" --stations 5000 --rate 1000 \
    --id-prefix BURST --server-pid "$pid"
  stop_server
  start_server pg-ingestion "$(database ingestion)" --message-log-retention-days 0
  run pg-ingestion steady --url "ws://127.0.0.1:$port/ocpp" --stations 2000 --rate 1000 --charging 1 \
    --meter-interval 1 --heartbeat-interval 300 --duration "${PG_INGESTION_SECONDS:-60}" --server-pid "$pid"
  stop_server
fi

if want routed; then
  # Two nodes: the stations on node A; the same commands through A, then through B. Each run
  # starts with calls that are not measured (--warm-up-calls): its connections to PostgreSQL
  # and their prepared statements are then made, as on a node that has been up a while.
  url=$(database routed)
  start_server node-a "$url" --node-id node_a; port_a=$port; pid_a=$pid
  start_server node-b "$url" --node-id node_b; port_b=$port
  run routed-local commands --url "ws://127.0.0.1:$port_a/ocpp" --stations 1000 --rate 1000 --calls 5000 \
    --warm-up-calls 1000 --concurrency 16 --server-pid "$pid_a" \
    --email "$AMPERE_ADMIN_EMAIL" --password "$AMPERE_ADMIN_PASSWORD"
  run routed-remote commands --url "ws://127.0.0.1:$port_a/ocpp" --api-url "http://127.0.0.1:$port_b" \
    --stations 1000 --rate 1000 --calls 5000 --warm-up-calls 1000 --concurrency 16 --server-pid "$pid_a" \
    --email "$AMPERE_ADMIN_EMAIL" --password "$AMPERE_ADMIN_PASSWORD"
  # The same at 1 and 4 in flight: what the hops through PostgreSQL add before routing saturates.
  for width in 1 4; do
    run "routed-local-c$width" commands --url "ws://127.0.0.1:$port_a/ocpp" --stations 1000 --rate 1000 --calls 5000 \
      --warm-up-calls 200 --concurrency "$width" --id-prefix "R$width" --server-pid "$pid_a" \
      --email "$AMPERE_ADMIN_EMAIL" --password "$AMPERE_ADMIN_PASSWORD"
    run "routed-remote-c$width" commands --url "ws://127.0.0.1:$port_a/ocpp" --api-url "http://127.0.0.1:$port_b" \
      --stations 1000 --rate 1000 --calls 5000 --warm-up-calls 200 --concurrency "$width" --id-prefix "R$width" \
      --server-pid "$pid_a" --email "$AMPERE_ADMIN_EMAIL" --password "$AMPERE_ADMIN_PASSWORD"
  done
  # Paced: commands at a steady rate, as operators send them, each latency from its due time.
  for rate in 100 300 1000; do
    run "routed-local-r$rate" commands --url "ws://127.0.0.1:$port_a/ocpp" --stations 1000 --rate 1000 \
      --calls $((rate * 10)) --warm-up-calls "$rate" --call-rate "$rate" --id-prefix "P$rate" --server-pid "$pid_a" \
      --email "$AMPERE_ADMIN_EMAIL" --password "$AMPERE_ADMIN_PASSWORD"
    run "routed-remote-r$rate" commands --url "ws://127.0.0.1:$port_a/ocpp" --api-url "http://127.0.0.1:$port_b" \
      --stations 1000 --rate 1000 --calls $((rate * 10)) --warm-up-calls "$rate" --call-rate "$rate" \
      --id-prefix "P$rate" --server-pid "$pid_a" --email "$AMPERE_ADMIN_EMAIL" --password "$AMPERE_ADMIN_PASSWORD"
  done
  kill "$pid_a" "$pid" 2>/dev/null || true
  wait "$pid_a" "$pid" 2>/dev/null || true
fi

if want failover; then
  # Two nodes behind nginx, 10,000 simulated charge points (5,000 each); SIGKILL the one holding the most.
  url=$(database failover)
  ports=(); npids=()
  for n in 1 2; do start_server "node-$n" "$url" --node-id "node_$n" --ping-interval 10; ports+=("$port"); npids+=("$pid"); done
  nginx_port=$(free_port)
  mkdir -p "$work/nginx"
  upstreams=""
  for p in "${ports[@]}"; do upstreams+="server 127.0.0.1:$p max_fails=1 fail_timeout=10s; "; done
  sed -e "s|@PREFIX@|$work/nginx|g" -e "s|@LISTEN@|127.0.0.1:$nginx_port|" -e "s|@UPSTREAMS@|$upstreams|" \
    -e "s|@USER@|$( [ "$(id -u)" = 0 ] && echo 'user root;')|" deploy/nginx/ampere-cluster.conf >"$work/nginx/nginx.conf"
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
  pids+=($!)
  sleep 1
  "$bin" sim --url "ws://127.0.0.1:$nginx_port/ocpp" --count 10000 --id-prefix FAILOVER >"$work/sim.log" 2>&1 &
  sim=$!; pids+=("$sim")
  python3 "$root/scripts/failover_probe.py" "http://127.0.0.1:${ports[0]}" "$AMPERE_ADMIN_EMAIL" "$AMPERE_ADMIN_PASSWORD" \
    10000 "${npids[*]}" "${ports[*]}" | tee "$results/failover.txt"
  kill "$sim" 2>/dev/null || true
fi

echo "== results in $results"
