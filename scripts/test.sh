#!/usr/bin/env bash
# Runs every test of Ampere on a fresh machine: the Swift suites, then the
# interop suites that drive Ampere with the Python `ocpp` package; the storage
# and integration suites run on SQLite and again on PostgreSQL.
# Installs what it needs itself (PostgreSQL, nginx, openssl and sqlite3 from Debian, a Python
# venv from PyPI) and starts a throwaway PostgreSQL server on loopback,
# stopped at exit; the cluster test starts its own nodes and nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== nginx, openssl and sqlite3 (the cluster test puts nginx in front of three nodes; the simulator's wss:// test behind TLS; the meter-scale script's loader)"
if ! { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || ! command -v openssl >/dev/null 2>&1 \
  || ! command -v sqlite3 >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq nginx-light openssl sqlite3 >/dev/null
fi
export AMPERE_REQUIRE_CLUSTER=1 AMPERE_REQUIRE_TLS=1

echo "== PostgreSQL (a throwaway server on 127.0.0.1)"
pgdir=$(mktemp -d /tmp/ampere-test-pg.XXXXXX)
cleanup() {
  "$root/scripts/postgres.sh" stop "$pgdir" || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
# Test data need not survive a power cut: skip the fsyncs.
export AMPERE_PG_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
AMPERE_TEST_POSTGRES_URL=$("$root/scripts/postgres.sh" start "$pgdir")
export AMPERE_TEST_POSTGRES_URL
echo "PostgreSQL at $AMPERE_TEST_POSTGRES_URL"
integration_suites='AmpereServerTests|AmpereSimulatorTests|AmpereBenchTests'
# A crash prints the crashed thread only: CI shows the end of the output, and
# a hundred idle threads would push the crashed one out of it.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=yes,interactive=no,threads=crashed,images=none}"

# Runs `swift test` with a time limit: a hung test fails the run with its
# name instead of using up CI's time in silence. Output goes line-buffered to
# a file that is echoed as it grows: SwiftPM starts the test binary in a
# process group of its own, which outlives `timeout` and is killed here.
swift_test() {
  local log status
  log=$(mktemp /tmp/ampere-swift-test.XXXXXX)
  timeout --kill-after=30 "${AMPERE_SWIFT_TEST_TIMEOUT:-1200}" stdbuf -oL -eL swift test "$@" >"$log" 2>&1 &
  local runner=$!
  tail -n +1 -f --pid="$runner" "$log" &
  local echo=$!
  status=0
  wait "$runner" || status=$?
  wait "$echo" || true
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    pkill -KILL -f "$root/.build/.*PackageTests.xctest" || true
    echo "== swift test ran out of time; started and never ended:"
    python3 "$root/scripts/unfinished_tests.py" "$log"
  elif [ "$status" != 0 ]; then
    # After a crash these are the tests that were running when it happened.
    echo "== swift test failed (exit $status); started and never ended:"
    python3 "$root/scripts/unfinished_tests.py" "$log"
  fi
  rm -f "$log"
  return "$status"
}

echo "== swift build (debug, with tests)"
swift build --build-tests
echo "== swift test (storage on SQLite and PostgreSQL, integration on SQLite)"
swift_test --skip-build
echo "== swift test (integration on PostgreSQL)"
AMPERE_TEST_DATABASE=postgres swift_test --skip-build --filter "$integration_suites"

echo "== python venv for the interop tests"
venv="${AMPERE_TEST_VENV:-$root/.venv}"
if ! [ -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian's python3 ships venv separately.
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r interop/requirements.txt

# The interop suites drive the debug binary built above: a release build
# from scratch takes 20 of CI's 30 minutes on 2 cores. AMPERE_TEST_RELEASE=1
# builds and tests the release binary users run instead.
if [ "${AMPERE_TEST_RELEASE:-0}" = 1 ]; then
  echo "== swift build (release)"
  swift build -c release --product ampere
  export AMPERE_BIN="$(swift build -c release --show-bin-path)/ampere"
else
  export AMPERE_BIN="$(swift build --show-bin-path)/ampere"
fi
cd interop
echo "== interop tests on SQLite (pytest)"
"$venv/bin/python" -m pytest -q -rfE
echo "== interop server tests on PostgreSQL (pytest)"
AMPERE_TEST_DATABASE=postgres "$venv/bin/python" -m pytest -q -rfE test_server_*.py
