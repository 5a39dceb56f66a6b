# Helpers the bench and probe scripts share; sourced, not run:
#   . "$(dirname "$0")/lib.sh"

# free_port: prints a TCP port free on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_healthy PORT: returns once the server on PORT answers /healthz; fails after 10 s.
wait_healthy() {
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}

# cpu_ticks PID: the CPU time the process has used so far, in clock ticks (user + system); 0 once gone.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# thread_ticks PID: each thread of the process as "tid name ticks" (spaces in names as _). Read from
# /proc/PID/task/TID/stat: /proc/TID/stat counts the whole process, whichever of its threads TID names.
thread_ticks() {
  local task
  for task in /proc/"$1"/task/*; do
    echo "$(basename "$task") $(tr ' ' _ <"$task/comm") $(awk '{ print $14 + $15 }' "$task/stat" 2>/dev/null || echo 0)"
  done 2>/dev/null
}

# idle_ticks: the machine's idle time so far, in clock ticks, all cores together.
idle_ticks() { awk '/^cpu / { print $5 }' /proc/stat; }

# postgres_pids DIR: the processes of the PostgreSQL server that scripts/postgres.sh started in DIR.
postgres_pids() { pgrep -u "$(stat -c %U "$1/data")" || true; }
