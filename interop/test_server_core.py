"""Charge-point-initiated messages other than transactions, and the station
views: BootNotification, Heartbeat, StatusNotification, DataTransfer,
Diagnostics/FirmwareStatusNotification, registration status, /healthz and
/metrics."""

import asyncio
import datetime as dt
import json
import re

import pytest
import requests
from ocpp.v16 import call

from support import (
    RawClient,
    assert_callerror,
    assert_error_body,
    assert_utc_timestamp,
    charge_point,
    iso,
    list_items,
    metric_value,
    parse_ts,
    poll,
    raw_client,
    run,
    station_path,
    unique_id,
    utc_now,
    ws_open,
)

STATION_FIELDS = {
    "id",
    "vendor",
    "model",
    "serialNumber",
    "firmwareVersion",
    "ocppVersion",
    "connected",
    "lastSeen",
    "registrationStatus",
    "connectors",
}
CONNECTOR_FIELDS = {"connectorId", "status", "errorCode", "updatedAt"}

METRIC_LINE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+(?P<value>\S+)(\s+-?\d+)?\s*$")


def _near_now(value, slack=60):
    skew = abs((parse_ts(value) - utc_now()).total_seconds())
    assert skew <= slack, f"{value} is {skew:.0f} s away from now"


def _strings(value) -> set:
    """Every string (and number as text) inside a JSON value."""
    found = set()
    if isinstance(value, dict):
        for v in value.values():
            found |= _strings(v)
    elif isinstance(value, list):
        for v in value:
            found |= _strings(v)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        found.add(str(value))
    return found


# -- BootNotification / Heartbeat ---------------------------------------------


def test_boot_is_accepted_with_current_time_and_interval_300(ws_base):
    async def scenario():
        async with charge_point(ws_base, unique_id("CORE"), boot=False) as cp:
            result = await cp.boot()
            assert result.status == "Accepted"
            _near_now(result.current_time)
            assert_utc_timestamp(result.current_time)
            assert result.interval == 300

    run(scenario())


def test_boot_with_every_optional_field(ws_base, api):
    cp_id = unique_id("CORE")

    async def scenario():
        async with charge_point(ws_base, cp_id, boot=False) as cp:
            result = await cp.boot(
                vendor="VoltWorks",
                model="VW-Duo",
                charge_point_serial_number="SN-4711",
                charge_box_serial_number="BOX-1",
                firmware_version="2.3.1",
                iccid="8949000000000000001",
                imsi="262010000000001",
                meter_type="EM-3",
                meter_serial_number="MSN-9",
            )
            assert result.status == "Accepted"
            return await asyncio.to_thread(api.station, cp_id)

    station = run(scenario())
    assert STATION_FIELDS <= set(station), f"missing {STATION_FIELDS - set(station)}"
    assert station["id"] == cp_id
    assert station["vendor"] == "VoltWorks"
    assert station["model"] == "VW-Duo"
    assert station["serialNumber"] == "SN-4711", "serialNumber is the chargePointSerialNumber"
    assert station["firmwareVersion"] == "2.3.1"
    assert station["ocppVersion"] == "1.6"
    assert station["connected"] is True
    assert station["registrationStatus"] == "Accepted"
    assert_utc_timestamp(station["lastSeen"])
    _near_now(station["lastSeen"])
    assert isinstance(station["connectors"], list)


def test_second_boot_updates_the_station(ws_base, api):
    cp_id = unique_id("CORE")

    async def scenario():
        async with charge_point(ws_base, cp_id, boot=False) as cp:
            await cp.boot(vendor="V1", model="M1", firmware_version="1.0")
            await cp.boot(vendor="V2", model="M2", firmware_version="2.0", charge_point_serial_number="S2")

    run(scenario())
    station = api.station(cp_id)
    assert (station["vendor"], station["model"], station["firmwareVersion"], station["serialNumber"]) == (
        "V2",
        "M2",
        "2.0",
        "S2",
    )


def test_heartbeat_returns_current_time_and_updates_last_seen(ws_base, api):
    cp_id = unique_id("CORE")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            before = parse_ts((await asyncio.to_thread(api.station, cp_id))["lastSeen"])
            await asyncio.sleep(1.2)
            result = await cp.heartbeat()
            _near_now(result.current_time)
            assert_utc_timestamp(result.current_time)
            after = parse_ts((await asyncio.to_thread(api.station, cp_id))["lastSeen"])
            assert after > before, (before, after)

    run(scenario())


def test_heartbeat_answer_is_in_ocpp_datetime_shape(ws_base):
    async def scenario():
        async with raw_client(ws_base, unique_id("CORE")) as raw:
            reply = await raw.heartbeat_ok()
            assert set(reply[2]) == {"currentTime"}, reply

    run(scenario())


def test_boot_heartbeat_interval_option(server_factory):
    proc = server_factory("--heartbeat-interval", "42")

    async def scenario():
        async with charge_point(proc.ws_url, unique_id("CORE"), boot=False) as cp:
            result = await cp.boot()
            assert result.status == "Accepted"
            assert result.interval == 42

    run(scenario())


# -- StatusNotification and connectors -------------------------------------------


def test_status_per_connector_including_connector_0(ws_base, api):
    cp_id = unique_id("CORE")
    wanted = {0: ("Available", "NoError"), 1: ("Preparing", "NoError"), 2: ("Faulted", "GroundFailure")}

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            for connector_id, (status, error_code) in wanted.items():
                assert await cp.status(connector_id, status, error_code, timestamp=iso()) is not None
            return await asyncio.to_thread(api.station, cp_id)

    station = run(scenario())
    by_id = {c["connectorId"]: c for c in station["connectors"]}
    assert set(by_id) == set(wanted), station["connectors"]
    for connector_id, (status, error_code) in wanted.items():
        connector = by_id[connector_id]
        assert CONNECTOR_FIELDS <= set(connector), connector
        assert connector["status"] == status
        assert connector["errorCode"] == error_code
        assert_utc_timestamp(connector["updatedAt"])


def test_status_updates_replace_the_connector_state(ws_base, api):
    cp_id = unique_id("CORE")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            await cp.status(1, "Preparing")
            await cp.status(1, "Charging")
            await cp.status(1, "Faulted", "OverCurrentFailure", info="fuse", vendor_error_code="E42")
            await cp.status(1, "SuspendedEV")
            return await asyncio.to_thread(api.station, cp_id)

    station = run(scenario())
    connectors = [c for c in station["connectors"] if c["connectorId"] == 1]
    assert len(connectors) == 1, station["connectors"]
    assert connectors[0]["status"] == "SuspendedEV"
    assert connectors[0]["errorCode"] == "NoError"


def test_every_1_6_status_and_error_code_is_accepted(ws_base, api):
    statuses = [
        "Available",
        "Preparing",
        "Charging",
        "SuspendedEVSE",
        "SuspendedEV",
        "Finishing",
        "Reserved",
        "Unavailable",
        "Faulted",
    ]
    errors = [
        "ConnectorLockFailure",
        "EVCommunicationError",
        "GroundFailure",
        "HighTemperature",
        "InternalError",
        "LocalListConflict",
        "NoError",
        "OtherError",
        "OverCurrentFailure",
        "PowerMeterFailure",
        "PowerSwitchFailure",
        "ReaderFailure",
        "ResetFailure",
        "UnderVoltage",
        "OverVoltage",
        "WeakSignal",
    ]
    cp_id = unique_id("CORE")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            for status in statuses:
                await cp.status(1, status)
            for error in errors:
                await cp.status(2, "Faulted", error)

    run(scenario())
    by_id = {c["connectorId"]: c for c in api.station(cp_id)["connectors"]}
    assert by_id[1]["status"] == "Faulted"
    assert by_id[2]["errorCode"] == "WeakSignal"


def test_status_history_keeps_every_notification(ws_base, api):
    cp_id = unique_id("HIST")
    t0 = utc_now() - dt.timedelta(minutes=5)
    sent = [
        (1, "Preparing", "NoError", iso(t0)),
        (1, "Charging", "NoError", iso(t0 + dt.timedelta(seconds=30))),
        (1, "Faulted", "HighTemperature", iso(t0 + dt.timedelta(seconds=90))),
    ]

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            for connector_id, status, error, ts in sent:
                await cp.status(connector_id, status, error, timestamp=ts)

    run(scenario())
    response = api.get(f"{station_path(cp_id)}/status-history", params={"limit": 100})
    assert response.status_code == 200, response.text
    items = list_items(response.json())
    assert len(items) >= 3, items
    strings = _strings(items)
    for _, status, error, _ in sent:
        assert status in strings and error in strings, (status, error, items)
    moments = set()
    for text in strings:
        try:
            moments.add(parse_ts(text))
        except AssertionError:
            pass
    for _, _, _, ts in sent:
        wanted = parse_ts(ts)
        assert any(abs((m - wanted).total_seconds()) <= 0.002 for m in moments), (
            f"the charge point's timestamp {ts} is not in the history {items}"
        )


def test_station_created_through_the_api_shows_all_fields(api):
    cp_id = unique_id("NEW")
    api.create_station(cp_id)
    station = api.station(cp_id)
    assert STATION_FIELDS <= set(station), f"missing {STATION_FIELDS - set(station)}"
    assert station["connected"] is False
    assert station["connectors"] == []
    assert station["vendor"] is None and station["model"] is None


def test_station_list_items_total_and_pagination(ws_base, api):
    ids = [unique_id("LIST") for _ in range(3)]
    for cp_id in ids:
        api.create_station(cp_id)
    whole = api.get("/charging-stations", params={"limit": 1000})
    assert whole.status_code == 200
    body = whole.json()
    items = list_items(body)
    assert set(ids) <= {s["id"] for s in items}
    assert body["total"] == len(items), "total is the number of all items"
    for item in items:
        assert STATION_FIELDS <= set(item), item

    pages, offset = [], 0
    while offset < body["total"]:
        page = api.get("/charging-stations", params={"limit": 2, "offset": offset}).json()
        assert page["total"] == body["total"]
        assert len(list_items(page)) == min(2, body["total"] - offset)
        pages += [s["id"] for s in page["items"]]
        offset += 2
    assert pages == [s["id"] for s in items], "limit/offset pages do not walk the same list"
    beyond = api.get("/charging-stations", params={"limit": 5, "offset": body["total"] + 10}).json()
    assert list_items(beyond) == [] and beyond["total"] == body["total"]


def test_station_list_default_answer_is_a_list(api):
    body = api.get("/charging-stations").json()
    assert len(list_items(body)) <= body["total"]


# -- registration status -------------------------------------------------------------


@pytest.mark.parametrize("status", ["Pending", "Rejected"])
def test_pending_or_rejected_station_gets_only_boot_answered(ws_base, api, status):
    cp_id = unique_id("REG")
    api.create_station(cp_id)
    response = api.put(station_path(cp_id), json={"registrationStatus": status})
    assert response.status_code == 200, response.text
    assert api.station(cp_id)["registrationStatus"] == status

    async def scenario():
        ws = await ws_open(ws_base, cp_id)
        try:
            raw = RawClient(ws)
            reply = await raw.call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
            assert reply[0] == 3, reply
            assert reply[2]["status"] == status
            assert isinstance(reply[2]["interval"], int)
            parse_ts(reply[2]["currentTime"])
            for action, payload in (
                ("Heartbeat", {}),
                ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"}),
                ("Authorize", {"idTag": "ANY"}),
                ("StartTransaction", {"connectorId": 1, "idTag": "ANY", "meterStart": 0, "timestamp": iso()}),
            ):
                reply = await raw.call(action, payload, unique_id=f"{action}-1")
                assert_callerror(reply, [f"{action}-1"], {"SecurityError"})
        finally:
            await ws.close()

    run(scenario())
    assert api.transactions_of(cp_id) == [], "a pending station's StartTransaction was recorded"


def test_pending_station_accepted_again(ws_base, api):
    cp_id = unique_id("REG")
    api.create_station(cp_id)
    assert api.put(station_path(cp_id), json={"registrationStatus": "Pending"}).status_code == 200

    async def scenario():
        async with raw_client(ws_base, cp_id, boot=False) as raw:
            await raw.boot("Pending")
            response = await asyncio.to_thread(api.put, station_path(cp_id), json={"registrationStatus": "Accepted"})
            assert response.status_code == 200, response.text
            await raw.boot("Accepted")
            await raw.heartbeat_ok()

    run(scenario())


def test_registration_status_must_be_a_known_value(api):
    cp_id = unique_id("REG")
    api.create_station(cp_id)
    response = api.put(station_path(cp_id), json={"registrationStatus": "Maybe"})
    assert response.status_code == 400, response.text
    assert_error_body(response)
    assert api.station(cp_id)["registrationStatus"] == "Accepted"


# -- DataTransfer and the other notifications -------------------------------------------


def _events(api, cp_id):
    response = api.get(f"{station_path(cp_id)}/events", params={"limit": 100})
    assert response.status_code == 200, response.text
    return list_items(response.json())


def _payload(event):
    payload = event.get("payload")
    if isinstance(payload, str):
        payload = json.loads(payload)
    return payload


def test_data_transfer_answers_unknown_vendor_and_is_stored(ws_base, api):
    cp_id = unique_id("DT")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            result = await cp.call(
                call.DataTransfer(vendor_id="com.example.ampere", message_id="ping", data='{"n": 1}'), suppress=False
            )
            assert result.status == "UnknownVendorId"
            result = await cp.call(call.DataTransfer(vendor_id="org.other"), suppress=False)
            assert result.status == "UnknownVendorId"

    run(scenario())
    events = poll(lambda: _events(api, cp_id), lambda e: len(e) >= 2, what="DataTransfer events")
    transfers = [e for e in events if e.get("kind") == "DataTransfer"]
    assert len(transfers) == 2, events
    for event in transfers:
        assert {"id", "kind", "payload", "at"} <= set(event), event
        assert_utc_timestamp(event["at"])
    payloads = [_payload(e) for e in transfers]
    first = [p for p in payloads if p.get("vendorId") == "com.example.ampere"]
    assert first and first[0].get("messageId") == "ping" and first[0].get("data") == '{"n": 1}', payloads


def test_diagnostics_and_firmware_notifications_are_answered_and_stored(ws_base, api):
    cp_id = unique_id("EV")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            assert await cp.call(call.DiagnosticsStatusNotification(status="Uploaded"), suppress=False) is not None
            assert await cp.call(call.FirmwareStatusNotification(status="Installed"), suppress=False) is not None

    run(scenario())
    events = poll(lambda: _events(api, cp_id), lambda e: len(e) >= 2, what="notification events")
    by_kind = {e["kind"]: _payload(e) for e in events}
    assert by_kind.get("DiagnosticsStatusNotification", {}).get("status") == "Uploaded", events
    assert by_kind.get("FirmwareStatusNotification", {}).get("status") == "Installed", events


def test_events_of_unknown_station_is_404(api):
    response = api.get(f"{station_path(unique_id('NONE'))}/events")
    assert response.status_code == 404
    assert_error_body(response)


# -- many charge points at once ----------------------------------------------------------


def test_twenty_charge_points_at_once(ws_base, api):
    ids = [unique_id("MANY") for _ in range(20)]

    async def one(cp_id):
        async with charge_point(ws_base, cp_id) as cp:
            await cp.status(1, "Available")
            await cp.heartbeat()
            await cp.authorize("NOBODY")
            station = await asyncio.to_thread(api.station, cp_id)
            assert station["connected"] is True

    async def scenario():
        await asyncio.gather(*(one(cp_id) for cp_id in ids))

    run(scenario())
    listed = {s["id"] for s in api.get("/charging-stations", params={"limit": 1000}).json()["items"]}
    assert set(ids) <= listed


def test_rapid_sequence_on_one_connection(ws_base):
    """200 heartbeats back to back on one connection, each answered."""

    async def scenario():
        async with raw_client(ws_base, unique_id("RAPID")) as raw:
            for n in range(200):
                reply = await raw.call("Heartbeat", {}, unique_id=f"hb-{n}")
                assert reply[0] == 3 and reply[1] == f"hb-{n}"

    run(scenario())


# -- /healthz and /metrics ---------------------------------------------------------------


def test_healthz_needs_no_token(server):
    response = requests.Session().get(server + "/healthz", timeout=10)
    assert response.status_code == 200


def test_metrics_are_prometheus_text_without_token(ws_base, server):
    async def traffic():
        async with charge_point(ws_base, unique_id("MET")) as cp:
            await cp.heartbeat()

    run(traffic())
    session = requests.Session()
    session.trust_env = False
    metrics = session.get(server + "/metrics", timeout=10)
    assert metrics.status_code == 200
    assert metrics.headers.get("Content-Type", "").startswith("text/plain")
    lines = metrics.text.splitlines()
    samples = [line for line in lines if line.strip() and not line.startswith("#")]
    assert samples, "no metric samples"
    for line in samples:
        match = METRIC_LINE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        float(match.group("value"))
    assert any(line.startswith("# TYPE ") for line in lines), "no # TYPE lines"
    # The storage writers: the boot above was committed, and nothing failed.
    assert (metric_value(metrics.text, 'ampere_storage_commits_total{writer="data"}') or 0) > 0, metrics.text
    assert (metric_value(metrics.text, 'ampere_storage_writes_total{writer="data"}') or 0) > 0
    assert metric_value(metrics.text, 'ampere_storage_failed_writes_total{writer="data"}') in (None, 0)
    # What an operator alerts on is there from the start, at 0.
    assert metric_value(metrics.text, "ampere_storage_unavailable_total") == 0, metrics.text
    assert metric_value(metrics.text, "ampere_message_log_dropped_frames_total") == 0, metrics.text


def test_calls_received_are_counted_by_action(ws_base, server):
    """CALLs are counted by action; an action the server does not handle counts as `other`,
    so a charge point sending made-up actions adds no series."""
    session = requests.Session()
    session.trust_env = False

    def counts() -> dict[str, float]:
        text = session.get(server + "/metrics", timeout=10).text
        return {
            action: metric_value(text, f'ampere_ocpp_calls_received_total{{action="{action}"}}') or 0
            for action in ("BootNotification", "Heartbeat", "other")
        }

    before = counts()

    async def traffic():
        async with raw_client(ws_base, unique_id("ACT")) as raw:
            await raw.heartbeat_ok()
            await raw.heartbeat_ok()
            answer = await raw.call("MadeUpAction", {})
            assert answer[0] == 4 and answer[2] == "NotImplemented", answer

    run(traffic())
    after = counts()
    assert after["BootNotification"] == before["BootNotification"] + 1
    assert after["Heartbeat"] == before["Heartbeat"] + 2
    assert after["other"] == before["other"] + 1
    assert "MadeUpAction" not in session.get(server + "/metrics", timeout=10).text


def test_rest_requests_are_counted_and_timed_by_route_and_status(server, api):
    """Every REST request is counted and timed by its route (never its raw path), method and the
    status it was answered with, refusals thrown as errors included."""
    session = requests.Session()
    session.trust_env = False

    def sample(name: str, route: str, method: str, status: int) -> float:
        text = session.get(server + "/metrics", timeout=10).text
        return metric_value(text, f'{name}{{route="{route}",method="{method}",status="{status}"}}') or 0

    stations = "/api/v1/charging-stations"
    one = "/api/v1/charging-stations/{id}"
    before = {
        "ok": sample("ampere_http_requests_total", stations, "GET", 200),
        "missing": sample("ampere_http_requests_total", one, "GET", 404),
        "refused": sample("ampere_http_requests_total", stations, "GET", 401),
        "timed": sample("ampere_http_request_duration_seconds_count", one, "GET", 404),
    }
    assert api.get(stations).status_code == 200
    for _ in range(2):
        assert api.get(f"{stations}/{unique_id('NOPE')}").status_code == 404
    assert api.get(stations, auth=False).status_code == 401

    assert sample("ampere_http_requests_total", stations, "GET", 200) == before["ok"] + 1
    assert sample("ampere_http_requests_total", one, "GET", 404) == before["missing"] + 2
    assert sample("ampere_http_requests_total", stations, "GET", 401) == before["refused"] + 1
    assert sample("ampere_http_request_duration_seconds_count", one, "GET", 404) == before["timed"] + 2
    text = session.get(server + "/metrics", timeout=10).text
    assert "NOPE" not in text, "a raw path became a label"


def test_security_extension_notifications_are_answered(ws_base):
    """Beyond the contract's list: the OCPP 1.6 security whitepaper's
    charge-point-initiated messages get a CALLRESULT, not an error."""

    async def scenario():
        async with raw_client(ws_base, unique_id("SEC")) as raw:
            for action, payload in (
                ("SecurityEventNotification", {"type": "FirmwareUpdated", "timestamp": iso()}),
                ("SignedFirmwareStatusNotification", {"status": "Installed"}),
                ("LogStatusNotification", {"status": "Idle"}),
            ):
                reply = await raw.call(action, payload)
                assert reply[0] == 3, (action, reply)

    run(scenario())
