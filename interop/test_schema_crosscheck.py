"""Cross-check the OCPP sample corpus against an independent validator.

The fixtures in Tests/OCPPMessagesTests/Fixtures/samples-*.json are generated
by scripts/make_ocpp_samples.py from the official OCA schemas. Here every
sample is run through the JSON-schema validation of the PyPI `ocpp` package
(which bundles the same schemas and validates with jsonschema's
Draft4Validator). Only the verdict (valid / invalid) is compared: that
package maps schema failures to its own error codes, which deliberately differ
from the specification's, so the expected `code` is not asserted here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from ocpp.exceptions import OCPPError
from ocpp.messages import Call, CallResult, _validate_payload

FIXTURES = Path(__file__).resolve().parent / ".." / "Tests" / "OCPPMessagesTests" / "Fixtures"
VERSIONS = ("1.6", "2.0.1")


def _load(version: str) -> list[dict]:
    with open(FIXTURES / f"samples-{version}.json", encoding="utf-8") as f:
        return json.load(f)


def _params() -> list:
    params = []
    for version in VERSIONS:
        for s in _load(version):
            test_id = f"{version}-{s['action']}-{s['message']}-{s['case']}"
            params.append(pytest.param(version, s, id=test_id))
    return params


PARAMS = _params()


def test_corpus_is_not_empty():
    for version in VERSIONS:
        samples = _load(version)
        assert any(s["valid"] for s in samples), version
        assert any(not s["valid"] for s in samples), version


def test_ids_are_unique():
    ids = [p.id for p in PARAMS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("version,sample", PARAMS)
def test_verdict_matches_ocpp_package(version: str, sample: dict):
    # The validator may rewrite message.payload (1.6 Decimal parsing), so
    # hand it a copy.
    payload = copy.deepcopy(sample["payload"])
    if sample["message"] == "request":
        message = Call("crosscheck-1", sample["action"], payload)
    else:
        message = CallResult("crosscheck-1", payload, action=sample["action"])

    try:
        _validate_payload(message, version)
    except OCPPError as e:
        verdict, detail = False, f"{type(e).__name__}: {e}"
    else:
        verdict, detail = True, "accepted"

    assert verdict == sample["valid"], (
        f"ocpp package says {'valid' if verdict else 'invalid'} ({detail}); "
        f"corpus says valid={sample['valid']} code={sample['code']} path={sample['path']}"
    )
