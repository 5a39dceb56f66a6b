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
