#!/usr/bin/env bash
# Runs every test of Ampere on a fresh machine: the Swift suites, then the
# interop suites that drive Ampere with the Python `ocpp` package.
# Installs what it needs itself (a Python venv from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== swift build (debug, with tests)"
swift build --build-tests
echo "== swift test"
swift test --skip-build

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

echo "== swift build (release: the interop suites test the binary users run)"
swift build -c release --product ampere
echo "== interop tests (pytest)"
export AMPERE_BIN="$(swift build -c release --show-bin-path)/ampere"
cd interop
"$venv/bin/python" -m pytest -q -rfE
