#!/usr/bin/env bash
# Where the CPU goes while commands are routed between two nodes: node A holds
# 1,000 simulated stations, and `bench commands` sends remote starts 16 at a
# time (CONCURRENCY) through node B (MODE=remote, the default) or through A itself
# (MODE=local), on one throwaway PostgreSQL server. How docs/PERFORMANCE.md's
# twentieth- and twenty-first-session routing CPU figures were taken.
#
#   scripts/diagnostics/routed_cpu.sh BINARY
#
# Environment (optional):
#   MODE         remote (default) or local
#   CALLS        20000 routed, 60000 locally: enough to outlast the sampled seconds
#   CONCURRENCY  remote starts in flight (default 16)
#   SERVER_ARGS  more `serve` options for both nodes
#   PERF         a file: `perf record -g` of node B (PERF_NODE=a: node A) over the sampled seconds
#   STATEMENTS   set: PostgreSQL keeps `pg_stat_statements`, and the run ends with each kind of
#                statement's calls, execution and planning time, then the costliest statements
#                (the kinds know the twentieth session's statements and the present ones)
#
# Prints the CPU of node A, node B, the generator and PostgreSQL (% of a core)
# and the machine's idle share over 4 s from the 3rd second, then the bench's
# remote-start row, then each step of a routed command over those 4 s (the
# nodes' `ampere_cluster_routed_call_step_seconds` histograms). Loopback only; stops by itself.
set -euo pipefail
bin=${1:?ampere binary}
mode=${MODE:-remote}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib.sh"
pgdir=$(mktemp -d /tmp/ampere-routedcpu.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; "$root/scripts/postgres.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
if [ -n "${STATEMENTS:-}" ]; then
  statements_options="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on"
  export AMPERE_PG_OPTIONS="${AMPERE_PG_OPTIONS:-} $statements_options"
fi
url=$("$root/scripts/postgres.sh" start "$pgdir")
[ -n "${STATEMENTS:-}" ] && psql -q "$url" -c "CREATE EXTENSION pg_stat_statements" 
export AMPERE_ADMIN_EMAIL=bench@example.com AMPERE_ADMIN_PASSWORD=Bench-pass-123
ulimit -n 20000 2>/dev/null || true

port_a=$(free_port)
"$bin" serve --port "$port_a" --database "$url" --node-id node_a --log-level warning ${SERVER_ARGS:-} >"$pgdir/a.log" 2>&1 &
a=$!; pids+=("$a")
wait_healthy "$port_a" || { cat "$pgdir/a.log" >&2; exit 1; }
port_b=$(free_port)
"$bin" serve --port "$port_b" --database "$url" --node-id node_b --log-level warning ${SERVER_ARGS:-} >"$pgdir/b.log" 2>&1 &
b=$!; pids+=("$b")
wait_healthy "$port_b" || { cat "$pgdir/b.log" >&2; exit 1; }

api=()
[ "$mode" = remote ] && api=(--api-url "http://127.0.0.1:$port_b")
"$bin" bench commands --url "ws://127.0.0.1:$port_a/ocpp" "${api[@]}" --stations 1000 --rate 1000 \
  --calls "${CALLS:-$([ "$mode" = remote ] && echo 20000 || echo 60000)}" --concurrency "${CONCURRENCY:-16}" --server-pid "$a" \
  --email "$AMPERE_ADMIN_EMAIL" --password "$AMPERE_ADMIN_PASSWORD" >"$pgdir/commands.txt" 2>&1 &
generator=$!; pids+=("$generator")

postgres_ticks() {
  local sum=0 p
  for p in $(postgres_pids "$pgdir"); do sum=$((sum + $(cpu_ticks "$p"))); done
  echo "$sum"
}
sleep 3
scrape() { curl -sf "http://127.0.0.1:$1/metrics" >"$pgdir/$2" || true; }
scrape "$port_a" a1.metrics; scrape "$port_b" b1.metrics
a1=$(cpu_ticks "$a"); b1=$(cpu_ticks "$b"); g1=$(cpu_ticks "$generator"); p1=$(postgres_ticks)
i1=$(idle_ticks)
if [ -n "${PERF:-}" ]; then perf record -g -p "$([ "${PERF_NODE:-b}" = a ] && echo "$a" || echo "$b")" -o "$PERF" -- sleep 4 >/dev/null 2>&1; else sleep 4; fi
a2=$(cpu_ticks "$a"); b2=$(cpu_ticks "$b"); g2=$(cpu_ticks "$generator"); p2=$(postgres_ticks)
i2=$(idle_ticks)
scrape "$port_a" a2.metrics; scrape "$port_b" b2.metrics
echo "through node $([ "$mode" = remote ] && echo B || echo A): node A $(((a2 - a1) / 4)) %  node B $(((b2 - b1) / 4)) %" \
  " generator $(((g2 - g1) / 4)) %  PostgreSQL $(((p2 - p1) / 4)) %  idle $(((i2 - i1) / 4)) %"
wait "$generator" || true
grep -E 'REST remote-start|FAILED' "$pgdir/commands.txt"
# Each step of a routed command over the same seconds, from the nodes' own histograms.
for node in a b; do
  python3 "$root/scripts/diagnostics/histogram_delta.py" ampere_cluster_routed_call_step_seconds \
    "$pgdir/${node}1.metrics" "$pgdir/${node}2.metrics" "node $(echo $node | tr ab AB) "
done
if [ -n "${STATEMENTS:-}" ]; then
  psql -q "$url" -c "SELECT kind, sum(calls) AS statements, round(sum(total_exec_time)::numeric) AS exec_ms,
      round(sum(total_plan_time)::numeric) AS plan_ms, sum(rows) AS rows
    FROM (SELECT CASE
        WHEN query LIKE 'INSERT INTO ocpp_message_batches%' THEN 'message log'
        WHEN query LIKE 'WITH input AS MATERIALIZED%' THEN 'routed calls, batched'
        WHEN query LIKE 'WITH queued%' THEN 'routed call, alone (prepared)'
        WHEN query LIKE 'WITH input (id, origin%' THEN 'outcomes, batched'
        WHEN query LIKE 'WITH input AS (%unnest%' THEN 'outcomes, batched'
        WHEN query LIKE 'WITH done%' THEN 'outcome, alone (prepared)'
        WHEN query LIKE 'DELETE FROM cluster_calls%' THEN 'answered calls removed'
        ELSE 'other' END AS kind, calls, total_exec_time, total_plan_time, rows
      FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())) s
    GROUP BY kind ORDER BY sum(total_exec_time + total_plan_time) DESC"
  psql -q "$url" -c "SELECT calls, round(total_exec_time::numeric) AS exec_ms, round(total_plan_time::numeric) AS plan_ms,
      left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS statement
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    ORDER BY total_exec_time + total_plan_time DESC LIMIT 12"
fi
