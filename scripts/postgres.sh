#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks, on loopback only.
#   scripts/postgres.sh start DIR   installs PostgreSQL from Debian if missing,
#                                   starts a server with its data in DIR on a free
#                                   port and prints its URL (postgres://…/postgres)
#   scripts/postgres.sh restart DIR restarts it with the same options and port
#   scripts/postgres.sh stop DIR    stops it (DIR can then be removed)
# PostgreSQL refuses to run as root: as root, the server runs as the
# `postgres` system user (made by Debian's package) and DIR is given to it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:?start or stop}
dir=${2:?data directory}

case "$cmd" in
start)
  if ! bin=$(pg_bin); then
    echo "installing PostgreSQL from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >/dev/null
    bin=$(pg_bin)
  fi
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  port=$(free_port)
  as_server_user "$bin/initdb" -D "$dir/data" -U ampere --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # Loopback only, sockets in DIR, sized for many test databases at once: the Swift suite on
  # PostgreSQL holds up to some 390 connections at its peak (every cluster bus keeps 2 to 5 open).
  as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=800 -c shared_buffers=256MB ${AMPERE_PG_OPTIONS:-}" \
    >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "$port" >"$dir/port"
  echo "postgres://ampere@127.0.0.1:$port/postgres?sslmode=disable"
  ;;
stop)
  if bin=$(pg_bin) && [ -d "$dir/data" ]; then
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  ;;
restart)
  # The same server again, its caches empty (as after a reboot, with the kernel's dropped too).
  bin=$(pg_bin)
  as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 120 restart >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  ;;
*)
  echo "usage: $0 start|stop|restart DIR" >&2
  exit 2
  ;;
esac
