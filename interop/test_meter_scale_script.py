"""scripts/bench_meter_scale.sh at a tiny size: its loaders still fit the schema the server makes,
and every REST read it times answers what the loaders stored (the script checks each answer).
The figures themselves come from full-size runs (docs/PERFORMANCE.md), never from here."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess

import pytest

import support

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bench_meter_scale.sh"
READS = ("transaction-values", "transaction-tail", "station-latest", "station-sessions", "busy-latest")


def run_script(database: str, tmp_path: pathlib.Path, **extra: str) -> str:
    env = dict(os.environ)
    env.update(
        AMPERE_BIN=support.ampere_bin(), DATABASE=database, STATIONS="10", TRANSACTIONS="60", SAMPLES="120",
        BUSY="40", QUERIES="5", DROP_CACHES="0", WORK=str(tmp_path / "work"))
    env.update(extra)
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def check_output(output: str, stations: int = 10) -> None:
    # 60 transactions of 120 samples and 40 of 30, ten values each.
    assert re.search(r"^loaded 84000 values in \d+ s; .* bytes per value$", output, re.M), output
    for label in ("cold", "again", "warm"):
        for read in READS:
            # Each station is read once at the most.
            n = min(5, stations) if read.startswith("station-") else 5
            assert re.search(rf"^{label}\s+{read}\s+n\s+{n}\s+p50", output, re.M), f"{label} {read} missing:\n{output}"


def test_meter_scale_script_on_sqlite(tmp_path):
    output = run_script("sqlite", tmp_path)
    check_output(output)
    assert not (tmp_path / "work").exists(), "the script leaves nothing behind without KEEP"


@pytest.mark.skipif(not os.environ.get("AMPERE_TEST_POSTGRES_URL"), reason="AMPERE_TEST_POSTGRES_URL is not set")
def test_meter_scale_script_on_postgres(tmp_path):
    url = os.environ["AMPERE_TEST_POSTGRES_URL"]
    output = run_script("postgres", tmp_path, POSTGRES_URL=url)
    check_output(output)
    databases = subprocess.run(
        ["psql", "-qAt", url, "-c", "SELECT datname FROM pg_database WHERE datname LIKE 'scale_%'"],
        capture_output=True, text=True, check=True).stdout.split()
    assert databases == [], f"the script's database was not dropped: {databases}"


def check_prune(output: str) -> None:
    pruned = re.search(r"^pruned (\d+) values in [\d.]+ s \(from the server's start\)$", output, re.M)
    assert pruned and int(pruned.group(1)) > 0, output
    assert re.search(r"^pruning\s+transaction-values\s+n\s+5\s+p50", output, re.M), output
    assert re.search(r"^the next prune: \d+ values aged since, removed in [\d.]+ s$", output, re.M), output
    # The script itself fails unless what is left and what was removed add up to what was loaded.
    left = re.search(r"^left (\d+) values, the oldest at ", output, re.M)
    assert left and 0 < int(left.group(1)) < 84000, output


# One station (a transaction round of two), so that the newer half holds enough transactions for
# the reads timed while the older half is pruned; the same 84,000 values as above.
def test_meter_scale_script_prunes_on_sqlite(tmp_path):
    output = run_script("sqlite", tmp_path, STATIONS="1", PRUNE="1")
    check_output(output, stations=1)
    check_prune(output)


@pytest.mark.skipif(not os.environ.get("AMPERE_TEST_POSTGRES_URL"), reason="AMPERE_TEST_POSTGRES_URL is not set")
def test_meter_scale_script_prunes_on_postgres(tmp_path):
    output = run_script("postgres", tmp_path, POSTGRES_URL=os.environ["AMPERE_TEST_POSTGRES_URL"], STATIONS="1", PRUNE="1")
    check_output(output, stations=1)
    check_prune(output)
