#!/usr/bin/env python3
"""Generate the OCPP payload sample corpus used by the Swift schema tests.

Reads the official OCA JSON schemas in Schemas/ocpp16 and Schemas/ocpp201 and
writes

    Tests/OCPPMessagesTests/Fixtures/samples-1.6.json
    Tests/OCPPMessagesTests/Fixtures/samples-2.0.1.json

Each file is a JSON array of samples:

    {"action": ..., "message": "request" | "response", "case": ...,
     "payload": ..., "valid": true | false, "code": ... | null,
     "path": ... | null}

For every schema it emits `valid-full` (every property filled, recursively),
`valid-minimal` (required properties only, when it differs from valid-full)
and a set of single-error mutations of valid-full (see `mutations()`).
A few hand-written `realistic-*` samples are appended at the end.

Standard library only, no randomness: running it twice gives identical bytes.
Run from anywhere:  python3 scripts/make_ocpp_samples.py
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIRS = {"1.6": ROOT / "Schemas" / "ocpp16", "2.0.1": ROOT / "Schemas" / "ocpp201"}
FIXTURE_DIR = ROOT / "Tests" / "OCPPMessagesTests" / "Fixtures"

# Version-neutral error codes; the Swift side maps them to the wire spelling
# (e.g. 1.6 "OccurenceConstraintViolation", "FormationViolation").
OCCURRENCE = "OccurrenceConstraintViolation"
PROPERTY = "PropertyConstraintViolation"
TYPE = "TypeConstraintViolation"
FORMAT = "FormatViolation"

CUSTOM_DATA = "customData"
TOP_CUSTOM_DATA = {"vendorId": "com.example", "extra": 1}
UNTYPED_VALUE = {"k": [1, "two", True, None]}
TOO_MANY_FULL_COPIES_LIMIT = 16  # above this maxItems, pad with minimal items

# --------------------------------------------------------------------------
# Realistic values, picked by property name (and sometimes by the parent's).
# --------------------------------------------------------------------------

PEM_CERT = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVFeGFtcGxlMAoGCCqGSM49BAMCMBkx\n"
    "-----END CERTIFICATE-----\n"
)
PEM_CSR = (
    "-----BEGIN CERTIFICATE REQUEST-----\n"
    "MIIBDzCBtgIBADBUMQswCQYDVQQGEwJOTDEUMBIGA1UECgwLQWNtZUNoYXJnZTEP\n"
    "-----END CERTIFICATE REQUEST-----\n"
)
HASH_HEX = "3b6a27bccebfb8e8a3c2f1e0d9b7a6c5f4e3d2c1b0a9f8e7d6c5b4a3928170ff"
B64_BLOB = "MEUCIQDk3bq0S1pGmF7k2c9QzOfq1u1x8hY2bVb4xg6fC1p7SgIgXyZ0gq5b2Q=="

STRING_BY_NAME: dict[str, str] = {
    # identification
    "chargePointVendor": "AcmeCharge",
    "chargePointModel": "AC-22",
    "vendorName": "AcmeCharge",
    "model": "AC-22",
    "chargePointSerialNumber": "SN-0001",
    "chargeBoxSerialNumber": "SN-0001-BOX",
    "serialNumber": "SN-0001",
    "meterSerialNumber": "SN-M-0001",
    "meterType": "EM-340",
    "firmwareVersion": "1.4.2",
    "iccid": "8931440400012345678",
    "imsi": "204043123456789",
    "idTag": "04A1B2C3D4E5F6",
    "parentIdTag": "04FFEEDDCCBBAA",
    "idToken": "04A1B2C3D4E5F6",
    "additionalIdToken": "CONTRACT-NL-ACM-0001",
    "transactionId": "TX-2026-000042",
    "vendorId": "com.example",
    "messageId": "GetPrice",
    "customerIdentifier": "CUST-000123",
    # configuration and device model
    "key": "HeartbeatInterval",
    "unknownKey": "NoSuchKey",
    "instance": "Main",
    "attributeValue": "300",
    "actualValue": "300",
    "valuesList": "Normal,Fast,Eco",
    "unit": "Wh",
    # diagnostics, logs, firmware
    "location": "https://files.example.com/fw.bin",
    "remoteLocation": "https://files.example.com/uploads/",
    "fileName": "diagnostics-20261121.zip",
    "filename": "log-20261121.tar.gz",
    "checksum": "3f2a9c7e",
    "signature": B64_BLOB,
    "signingCertificate": PEM_CERT,
    "certificate": PEM_CERT,
    "certificateChain": PEM_CERT,
    "csr": PEM_CSR,
    "ocspResult": B64_BLOB,
    "issuerNameHash": HASH_HEX,
    "issuerKeyHash": HASH_HEX,
    "responderURL": "http://ocsp.example.com",
    "exiRequest": "gAIAwQAAAEA=",
    "exiResponse": "gAIAwQAAAEA=",
    "iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef",
    # status / events
    "info": "Ground fault detected",
    "vendorErrorCode": "E-1042",
    "techCode": "E-1042",
    "techInfo": "Residual current above 30 mA",
    "reasonCode": "NoError",
    "additionalInfo": "See technician notes",
    "type": "FirmwareUpdated",
    # metering
    "signedMeterData": B64_BLOB,
    "signingMethod": "ECDSA-secp256r1-SHA256",
    "encodingMethod": "OCMF",
    "publicKey": B64_BLOB,
    # display messages, tariffs
    "content": "Welcome! Tap your card to start charging.",
    "language": "en-US",
    "language1": "en",
    "language2": "nl",
    "salesTariffDescription": "Standard tariff",
    # network
    "ocppCsmsUrl": "wss://csms.example.com/ocpp",
    "apn": "internet.example.com",
    "apnUserName": "ocpp",
    "apnPassword": "s3cret",
    "preferredNetwork": "20404",
    "server": "proxy.example.com",
    "user": "ocpp",
    "password": "s3cret-pw",
    "group": "GroupA",
}

# (parent property, property) -> value, for names that mean different things.
STRING_BY_PARENT: dict[tuple[str, str], str] = {
    ("component", "name"): "OCPPCommCtrlr",
    ("variable", "name"): "HeartbeatInterval",
    ("sampledValue", "value"): "12345.6",
    ("additionalInfo", "type"): "ContractId",
    ("unitOfMeasure", "unit"): "Wh",
    ("variableCharacteristics", "unit"): "s",
    ("configurationKey", "value"): "300",
    ("firmware", "location"): "https://files.example.com/fw.bin",
}

# Per-action overrides of (property) for strings.
STRING_BY_ACTION: dict[tuple[str, str], str] = {
    ("GetDiagnostics", "location"): "https://files.example.com/diagnostics/",
    ("UpdateFirmware", "location"): "https://files.example.com/fw.bin",
    ("ChangeConfiguration", "value"): "300",
    ("DataTransfer", "data"): '{"price":0.25,"currency":"EUR"}',
    ("SetVariables", "attributeValue"): "300",
}

# Values for the 2nd item of an array (index 1), by (parent, property) or property.
STRING_SECOND_BY_NAME: dict[str, str] = {
    "key": "MeterValueSampleInterval",
    "unknownKey": "NoSuchKeyEither",
    "variable.name": "MeterValueSampleInterval",
}

DATE_BY_NAME: dict[str, str] = {
    "validFrom": "2026-11-21T00:00:00.000Z",
    "validTo": "2027-11-21T00:00:00.000Z",
    "expiryDate": "2027-11-21T00:00:00.000Z",
    "expiryDateTime": "2027-11-21T00:00:00.000Z",
    "cacheExpiryDateTime": "2026-11-22T10:15:30.000Z",
    "startTime": "2026-11-20T00:00:00.000Z",
    "oldestTimestamp": "2026-11-20T00:00:00.000Z",
    "stopTime": "2026-11-21T00:00:00.000Z",
    "latestTimestamp": "2026-11-21T00:00:00.000Z",
    "retrieveDate": "2026-11-22T02:00:00.000Z",
    "retrieveDateTime": "2026-11-22T02:00:00.000Z",
    "installDateTime": "2026-11-22T03:00:00.000Z",
    "departureTime": "2026-11-21T18:00:00.000Z",
    "startSchedule": "2026-11-21T10:00:00.000Z",
    "scheduleStart": "2026-11-21T10:00:00.000Z",
    "startDateTime": "2026-11-21T10:00:00.000Z",
    "endDateTime": "2026-11-21T22:00:00.000Z",
}
DEFAULT_DATE = "2026-11-21T10:15:30.123Z"

INT_BY_NAME: dict[str, int] = {
    "connectorId": 1,
    "evseId": 1,
    "transactionId": 42,
    "interval": 300,
    "meterStart": 12345,
    "meterStop": 23456,
    "reservationId": 7,
    "chargingProfileId": 10,
    "stackLevel": 0,
    "listVersion": 3,
    "retries": 3,
    "retryInterval": 60,
    "requestId": 1001,
    "id": 1,
    "duration": 3600,
    "startPeriod": 0,
    "start": 0,
    "numberPhases": 3,
    "numberOfPhasesUsed": 3,
    "phaseToUse": 1,
    "stateOfCharge": 45,
    "fullSoC": 95,
    "bulkSoC": 80,
    "ePriceLevel": 1,
    "numEPriceLevels": 3,
    "seqNo": 0,
    "timeSpentCharging": 1800,
    "securityProfile": 2,
    "severity": 5,
    "simPin": 1234,
    "versionNumber": 1,
    "configurationSlot": 1,
    "messageTimeout": 30,
    "remoteStartId": 555,
    "eventId": 1,
    "cause": 1,
    "variableMonitoringId": 1,
    "maxScheduleTuples": 24,
    "multiplier": 0,
    "amountMultiplier": 0,
    "amount": 25,
    "energyAmount": 30000,
    "evEnergyCapacity": 60000,
    "evMaxCurrent": 125,
    "evMaxPower": 50000,
    "evMaxVoltage": 400,
    "evMinCurrent": 6,
    "cableMaxCurrent": 32,
    "chargingPriority": 0,
}
# Step added per array index so that the 2nd array item differs.
INT_STEP_BY_NAME: dict[str, int] = {
    "id": 1,
    "evseId": 1,
    "connectorId": 1,
    "chargingProfileId": 1,
    "reservationId": 1,
    "eventId": 1,
    "variableMonitoringId": 1,
    "startPeriod": 1800,
    "start": 3600,
}
DEFAULT_INT = 5

NUMBER_BY_NAME: dict[str, float] = {
    "limit": 16.0,
    "minChargingRate": 6.0,
    "value": 12345.6,
    "minLimit": 0.0,
    "maxLimit": 3600.0,
    "startValue": 0.0,
    "totalCost": 12.5,
}
NUMBER_STEP_BY_NAME: dict[str, float] = {"limit": 16.0, "startValue": 10.0}
DEFAULT_NUMBER = 7.4


# --------------------------------------------------------------------------
# Schema helpers
# --------------------------------------------------------------------------


class Schema:
    def __init__(self, version: str, action: str, message: str, doc: dict):
        self.version = version
        self.action = action
        self.message = message
        self.doc = doc
        self.defs = doc.get("definitions", {})

    def resolve(self, node: dict) -> dict:
        seen = 0
        while "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/definitions/"), ref
            node = self.defs[ref[len("#/definitions/"):]]
            seen += 1
            assert seen < 50, "reference loop"
        return node


def load_schemas(version: str) -> list[Schema]:
    out = []
    for path in sorted(SCHEMA_DIRS[version].glob("*.json")):
        name = path.stem
        if name.endswith("Response"):
            action, message = name[: -len("Response")], "response"
        elif version != "1.6" and name.endswith("Request"):
            action, message = name[: -len("Request")], "request"
        else:
            action, message = name, "request"
        with open(path, encoding="utf-8-sig") as f:
            doc = json.load(f)
        out.append(Schema(version, action, message, doc))
    out.sort(key=lambda s: (s.action, 0 if s.message == "request" else 1))
    return out


def fmt_path(path: tuple) -> str:
    s = ""
    for p in path:
        if isinstance(p, int):
            s += f"[{p}]"
        else:
            s += ("." if s else "") + p
    return s


def last_name(path: tuple) -> str:
    for p in reversed(path):
        if isinstance(p, str):
            return p
    return ""


def parent_name(path: tuple) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-2] if len(names) >= 2 else ""


# --------------------------------------------------------------------------
# Value generation
# --------------------------------------------------------------------------


def clamp_int(value: int, node: dict) -> int:
    if "minimum" in node:
        value = max(value, int(node["minimum"]))
    if "maximum" in node:
        value = min(value, int(node["maximum"]))
    return value


def gen_string(schema: Schema, node: dict, path: tuple, idx: int) -> str:
    name = last_name(path)
    fmt = node.get("format")
    if fmt == "date-time":
        return DATE_BY_NAME.get(name, DEFAULT_DATE)
    if fmt == "uri":
        return STRING_BY_ACTION.get((schema.action, name), "https://files.example.com/fw.bin")
    value = STRING_BY_ACTION.get((schema.action, name))
    if value is None:
        value = STRING_BY_PARENT.get((parent_name(path), name))
    if value is None:
        value = STRING_BY_NAME.get(name)
    if idx == 1:
        value = STRING_SECOND_BY_NAME.get(f"{parent_name(path)}.{name}", STRING_SECOND_BY_NAME.get(name, value))
    if value is None:
        value = f"example-{name}" if name else "example"
    if name in ("idTag", "idToken") and idx:
        value = value[:-1] + "0123456789ABCDEF"[(int(value[-1], 16) + idx) % 16]
    max_len = node.get("maxLength")
    if max_len is not None and len(value) >= max_len:
        value = value[: max(1, max_len - 1)]
    return value


def gen(schema: Schema, node: dict, path: tuple, mode: str, idx: int = 0) -> Any:
    """Generate a valid value for `node`. mode is 'full' or 'min'."""
    node = schema.resolve(node)
    if "enum" in node:
        values = node["enum"]
        return values[1] if idx == 1 and len(values) > 1 else values[0]
    t = node.get("type")
    if t is None:
        return copy.deepcopy(UNTYPED_VALUE)
    if t == "object":
        obj = {}
        required = node.get("required", [])
        for key, sub in node.get("properties", {}).items():
            if key == CUSTOM_DATA:
                if mode == "full" and len(path) == 0:
                    obj[key] = dict(TOP_CUSTOM_DATA)
                continue
            if mode == "min" and key not in required:
                continue
            obj[key] = gen(schema, sub, path + (key,), mode, idx)
        return obj
    if t == "array":
        max_items = node.get("maxItems")
        count = 1 if mode == "min" or (max_items is not None and max_items < 2) else 2
        return [gen(schema, node["items"], path + (i,), mode, i) for i in range(count)]
    if t == "string":
        return gen_string(schema, node, path, idx)
    name = last_name(path)
    if t == "integer":
        value = INT_BY_NAME.get(name, DEFAULT_INT) + INT_STEP_BY_NAME.get(name, 0) * idx
        return clamp_int(value, node)
    if t == "number":
        value = NUMBER_BY_NAME.get(name, DEFAULT_NUMBER) + NUMBER_STEP_BY_NAME.get(name, 0.0) * idx
        return round(value, 1)
    if t == "boolean":
        return idx % 2 == 1
    raise ValueError(f"unsupported type {t!r} at {fmt_path(path)}")


# --------------------------------------------------------------------------
# Mutations
# --------------------------------------------------------------------------


def walk(schema: Schema, node: dict, value: Any, path: tuple = ()) -> Iterator[tuple[tuple, dict, Any]]:
    """Depth-first pre-order over the properties present in `value`.

    Yields (path, resolved schema node, value). Arrays are entered at index 0
    only; array elements themselves are yielded too (path ending in 0).
    customData is not entered (it is the same in every schema).
    """
    node = schema.resolve(node)
    t = node.get("type")
    if t == "object" and isinstance(value, dict):
        for key, sub in node.get("properties", {}).items():
            if key == CUSTOM_DATA or key not in value:
                continue
            sub_r = schema.resolve(sub)
            yield path + (key,), sub_r, value[key]
            yield from walk(schema, sub_r, value[key], path + (key,))
    elif t == "array" and isinstance(value, list) and value:
        item = schema.resolve(node["items"])
        yield path + (0,), item, value[0]
        yield from walk(schema, item, value[0], path + (0,))


def get_at(obj: Any, path: tuple) -> Any:
    for p in path:
        obj = obj[p]
    return obj


def set_at(obj: Any, path: tuple, value: Any) -> None:
    get_at(obj, path[:-1])[path[-1]] = value


def del_at(obj: Any, path: tuple) -> None:
    del get_at(obj, path[:-1])[path[-1]]


def is_plain(node: dict) -> bool:
    """No enum and no format: changing the value's type breaks only `type`."""
    return "enum" not in node and "format" not in node and "type" in node


WRONG_TYPE_VALUE = {"string": 12, "integer": "12", "number": "12", "boolean": "true", "object": [], "array": {}}


def mutations(schema: Schema, full: dict) -> Iterator[tuple[str, Any, str, str]]:
    """Yield (case, payload, code, path) for each single-error mutation."""
    root = schema.resolve(schema.doc)
    props = list(walk(schema, root, full))

    def mutated(fn) -> Any:
        payload = copy.deepcopy(full)
        fn(payload)
        return payload

    # missing: every required top-level property ...
    required = root.get("required", [])
    for key in root.get("properties", {}):
        if key in required and key in full:
            yield f"missing:{key}", mutated(lambda p, k=key: p.pop(k)), OCCURRENCE, key
    # ... plus one required property of the first nested object that has some.
    for path, node, value in props:
        if node.get("type") == "object" and isinstance(value, dict) and node.get("required"):
            key = next(k for k in node.get("properties", {}) if k in node["required"] and k in value)
            p = fmt_path(path + (key,))
            yield f"missing:{p}", mutated(lambda x, q=path + (key,): del_at(x, q)), OCCURRENCE, p
            break

    # too-long: first string with maxLength (no enum / format).
    for path, node, value in props:
        if node.get("type") == "string" and "maxLength" in node and is_plain(node):
            p = fmt_path(path)
            long_value = "x" * (node["maxLength"] + 1)
            yield f"too-long:{p}", mutated(lambda x, q=path: set_at(x, q, long_value)), PROPERTY, p
            break

    # bad-enum: first enum property.
    for path, node, value in props:
        if "enum" in node:
            p = fmt_path(path)
            yield f"bad-enum:{p}", mutated(lambda x, q=path: set_at(x, q, "NotAnEnumValue")), PROPERTY, p
            break

    # wrong-type: first property whose type can be changed without
    # breaking anything else (enum and format properties are skipped).
    for path, node, value in props:
        if is_plain(node) and node["type"] in WRONG_TYPE_VALUE:
            p = fmt_path(path)
            bad = WRONG_TYPE_VALUE[node["type"]]
            yield f"wrong-type:{p}", mutated(lambda x, q=path: set_at(x, q, bad)), TYPE, p
            break

    # integer-as-float: first integer property.
    for path, node, value in props:
        if node.get("type") == "integer" and "enum" not in node:
            p = fmt_path(path)
            yield f"integer-as-float:{p}", mutated(lambda x, q=path: set_at(x, q, 1.5)), TYPE, p
            break

    # extra-property: every top-level schema is closed.
    assert root.get("additionalProperties") is False, schema.action
    yield "extra-property", mutated(lambda x: x.__setitem__("unexpectedField", 1)), FORMAT, "unexpectedField"

    # Per-field constraints.
    for path, node, value in props:
        p = fmt_path(path)
        t = node.get("type")
        if t == "array" and node.get("minItems", 0) >= 1:
            yield f"empty-array:{p}", mutated(lambda x, q=path: set_at(x, q, [])), OCCURRENCE, p
        if t == "array" and "maxItems" in node:
            n = node["maxItems"] + 1
            if node["maxItems"] <= TOO_MANY_FULL_COPIES_LIMIT:
                item = value[0]
            else:
                item = gen(schema, node["items"], path + (0,), "min", 0)
            many = [copy.deepcopy(item) for _ in range(n)]
            yield f"too-many:{p}", mutated(lambda x, q=path: set_at(x, q, many)), OCCURRENCE, p
        if t in ("integer", "number") and "minimum" in node:
            below = int(node["minimum"]) - 1 if t == "integer" else node["minimum"] - 1
            yield f"below-minimum:{p}", mutated(lambda x, q=path: set_at(x, q, below)), PROPERTY, p
        if t in ("integer", "number") and "maximum" in node:
            above = int(node["maximum"]) + 1 if t == "integer" else node["maximum"] + 1
            yield f"above-maximum:{p}", mutated(lambda x, q=path: set_at(x, q, above)), PROPERTY, p
        if t == "number" and "multipleOf" in node:
            assert node["multipleOf"] == 0.1, node
            yield f"not-multiple:{p}", mutated(lambda x, q=path: set_at(x, q, 4.11)), PROPERTY, p

    yield "payload-not-object", [], TYPE, ""


def sample(schema: Schema, case: str, payload: Any, valid: bool, code: str | None, path: str | None) -> dict:
    return {
        "action": schema.action,
        "message": schema.message,
        "case": case,
        "payload": payload,
        "valid": valid,
        "code": code,
        "path": path,
    }


def samples_for(schema: Schema) -> list[dict]:
    root = schema.resolve(schema.doc)
    full = gen(schema, root, (), "full")
    minimal = gen(schema, root, (), "min")
    out = [sample(schema, "valid-full", full, True, None, None)]
    if minimal != full:
        out.append(sample(schema, "valid-minimal", minimal, True, None, None))
    for case, payload, code, path in mutations(schema, full):
        out.append(sample(schema, case, payload, False, code, path))
    return out


# --------------------------------------------------------------------------
# Hand-written realistic samples
# --------------------------------------------------------------------------


def realistic_16() -> list[dict]:
    def sv(value, measurand, unit, phase=None, context="Sample.Periodic", location="Outlet"):
        d = {"value": value, "context": context, "format": "Raw", "measurand": measurand}
        if phase:
            d["phase"] = phase
        d["location"] = location
        d["unit"] = unit
        return d

    meter_values = {
        "connectorId": 1,
        "transactionId": 42,
        "meterValue": [
            {
                "timestamp": "2026-11-21T10:30:00.000Z",
                "sampledValue": [
                    sv("15234.5", "Energy.Active.Import.Register", "Wh"),
                    sv("11040.0", "Power.Active.Import", "W"),
                    sv("16.1", "Current.Import", "A", "L1"),
                    sv("15.9", "Current.Import", "A", "L2"),
                    sv("16.0", "Current.Import", "A", "L3"),
                    sv("230.4", "Voltage", "V", "L1-N"),
                    sv("229.8", "Voltage", "V", "L2-N"),
                    sv("231.1", "Voltage", "V", "L3-N"),
                    sv("67", "SoC", "Percent", location="EV"),
                    sv("34.5", "Temperature", "Celsius", location="Body"),
                ],
            }
        ],
    }
    start = {
        "connectorId": 1,
        "idTag": "04A1B2C3D4E5F6",
        "meterStart": 12345,
        "reservationId": 7,
        "timestamp": "2026-11-21T10:15:30.123Z",
    }
    stop = {
        "idTag": "04A1B2C3D4E5F6",
        "meterStop": 23456,
        "timestamp": "2026-11-21T11:45:02.500Z",
        "transactionId": 42,
        "reason": "Local",
        "transactionData": [
            {
                "timestamp": "2026-11-21T10:15:30.123Z",
                "sampledValue": [
                    {"value": "12345", "context": "Transaction.Begin", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                ],
            },
            {
                "timestamp": "2026-11-21T11:45:02.500Z",
                "sampledValue": [
                    {"value": "23456", "context": "Transaction.End", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                    {"value": "82", "context": "Transaction.End", "measurand": "SoC", "location": "EV", "unit": "Percent"},
                ],
            },
        ],
    }
    boot = {
        "chargePointVendor": "AcmeCharge",
        "chargePointModel": "AC-22",
        "chargePointSerialNumber": "SN-0001",
        "chargeBoxSerialNumber": "SN-0001-BOX",
        "firmwareVersion": "1.4.2",
        "iccid": "8931440400012345678",
        "imsi": "204043123456789",
        "meterType": "EM-340",
        "meterSerialNumber": "SN-M-0001",
    }
    boot_response = {"status": "Accepted", "currentTime": "2026-11-21T10:15:30.123Z", "interval": 300}
    return [
        raw("MeterValues", "request", "realistic-three-phase-10-values", meter_values),
        raw("StartTransaction", "request", "realistic-start", start),
        raw("StopTransaction", "request", "realistic-stop-with-transaction-data", stop),
        raw("BootNotification", "request", "realistic-all-fields", boot),
        raw("BootNotification", "response", "realistic-accepted", boot_response),
    ]


def realistic_201() -> list[dict]:
    started = {
        "eventType": "Started",
        "timestamp": "2026-11-21T10:15:30.123Z",
        "triggerReason": "Authorized",
        "seqNo": 0,
        "offline": False,
        "numberOfPhasesUsed": 3,
        "cableMaxCurrent": 32,
        "transactionInfo": {"transactionId": "TX-2026-000042", "chargingState": "Charging", "remoteStartId": 555},
        "evse": {"id": 1, "connectorId": 1},
        "idToken": {"idToken": "04A1B2C3D4E5F6", "type": "ISO14443"},
        "meterValue": [
            {
                "timestamp": "2026-11-21T10:15:30.123Z",
                "sampledValue": [
                    {
                        "value": 12345.0,
                        "context": "Transaction.Begin",
                        "measurand": "Energy.Active.Import.Register",
                        "location": "Outlet",
                        "unitOfMeasure": {"unit": "Wh", "multiplier": 0},
                    }
                ],
            }
        ],
    }
    ended = {
        "eventType": "Ended",
        "timestamp": "2026-11-21T11:45:02.500Z",
        "triggerReason": "EVCommunicationLost",
        "seqNo": 7,
        "transactionInfo": {
            "transactionId": "TX-2026-000042",
            "chargingState": "Idle",
            "timeSpentCharging": 5372,
            "stoppedReason": "EVDisconnected",
        },
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [
            {
                "timestamp": "2026-11-21T11:45:02.500Z",
                "sampledValue": [
                    {
                        "value": 23456.0,
                        "context": "Transaction.End",
                        "measurand": "Energy.Active.Import.Register",
                        "unitOfMeasure": {"unit": "Wh"},
                    },
                    {
                        "value": 82.0,
                        "context": "Transaction.End",
                        "measurand": "SoC",
                        "location": "EV",
                        "unitOfMeasure": {"unit": "Percent"},
                    },
                ],
            }
        ],
    }
    boot = {
        "reason": "PowerUp",
        "chargingStation": {
            "serialNumber": "SN-0001",
            "model": "AC-22",
            "modem": {"iccid": "8931440400012345678", "imsi": "204043123456789"},
            "vendorName": "AcmeCharge",
            "firmwareVersion": "1.4.2",
        },
    }
    report = {
        "requestId": 1001,
        "generatedAt": "2026-11-21T10:16:00.000Z",
        "tbc": False,
        "seqNo": 0,
        "reportData": [
            {
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"},
                "variableAttribute": [
                    {"type": "Actual", "value": "300", "mutability": "ReadWrite", "persistent": True, "constant": False}
                ],
                "variableCharacteristics": {"unit": "s", "dataType": "integer", "minLimit": 30.0, "maxLimit": 3600.0, "supportsMonitoring": False},
            },
            {
                "component": {"name": "EVSE", "evse": {"id": 1}},
                "variable": {"name": "AvailabilityState"},
                "variableAttribute": [{"type": "Actual", "value": "Available", "mutability": "ReadOnly"}],
                "variableCharacteristics": {
                    "dataType": "OptionList",
                    "valuesList": "Available,Occupied,Reserved,Unavailable,Faulted",
                    "supportsMonitoring": True,
                },
            },
            {
                "component": {"name": "SmartChargingCtrlr"},
                "variable": {"name": "LimitChangeSignificance"},
                "variableAttribute": [
                    {"type": "Actual", "value": "10.0", "mutability": "ReadWrite", "persistent": True},
                    {"type": "MaxSet", "value": "50.0", "mutability": "ReadOnly", "constant": True},
                ],
                "variableCharacteristics": {"unit": "Percent", "dataType": "decimal", "supportsMonitoring": False},
            },
        ],
    }
    boot_response = {"currentTime": "2026-11-21T10:15:30.123Z", "interval": 300, "status": "Accepted"}
    return [
        raw("TransactionEvent", "request", "realistic-started", started),
        raw("TransactionEvent", "request", "realistic-ended", ended),
        raw("BootNotification", "request", "realistic-power-up", boot),
        raw("BootNotification", "response", "realistic-accepted", boot_response),
        raw("NotifyReport", "request", "realistic-report-data", report),
    ]


def raw(action: str, message: str, case: str, payload: dict) -> dict:
    return {"action": action, "message": message, "case": case, "payload": payload, "valid": True, "code": None, "path": None}


# --------------------------------------------------------------------------


def build(version: str) -> list[dict]:
    out: list[dict] = []
    for schema in load_schemas(version):
        out.extend(samples_for(schema))
    out.extend(realistic_16() if version == "1.6" else realistic_201())
    seen = set()
    for s in out:
        key = (s["action"], s["message"], s["case"])
        assert key not in seen, f"duplicate sample {key}"
        seen.add(key)
    return out


def main() -> None:
    FIXTURE_DIR.mkdir(parents=True, exist_ok=True)
    for version in ("1.6", "2.0.1"):
        samples = build(version)
        text = json.dumps(samples, indent=1, sort_keys=False, ensure_ascii=False) + "\n"
        target = FIXTURE_DIR / f"samples-{version}.json"
        target.write_text(text, encoding="utf-8")
        valid = sum(1 for s in samples if s["valid"])
        print(f"{target.relative_to(ROOT)}: {len(samples)} samples ({valid} valid, {len(samples) - valid} invalid)")


if __name__ == "__main__":
    main()
