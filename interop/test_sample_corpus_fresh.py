"""The committed sample corpus is exactly what scripts/make_ocpp_samples.py makes
of the committed schemas (regenerate with `python3 scripts/make_ocpp_samples.py`)."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("make_ocpp_samples", ROOT / "scripts" / "make_ocpp_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_fixture_matches_generator(version):
    generator = _generator()
    expected = json.dumps(generator.build(version), indent=1, sort_keys=False, ensure_ascii=False) + "\n"
    fixture = generator.FIXTURE_DIR / f"samples-{version}.json"
    assert fixture.read_text(encoding="utf-8") == expected, f"{fixture} is stale: run scripts/make_ocpp_samples.py"
