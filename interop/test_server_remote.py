"""Central-system-initiated OCPP calls through the REST API: calls/{action},
remote-start, remote-stop, and how answers, CALLERRORs, timeouts, unknown
and disconnected stations map to HTTP."""

import asyncio
import json
import time

import pytest

from support import (
    SimChargePoint,
    metric_value,
    assert_error_body,
    charge_point,
    frame_of,
    open_charge_point,
    raw_client,
    run,
    station_path,
    unique_id,
    unique_tag,
)


async def _post(api, path, body, **params):
    """POST from a worker thread so that the charge point keeps answering."""
    return await asyncio.to_thread(api.post, path, json=body, params=params or None)


def _calls(cp_id, action):
    return f"{station_path(cp_id)}/calls/{action}"


# -- remote start / stop ------------------------------------------------------------


def test_remote_start_with_connector(api, ws_base):
    cp_id, id_tag = unique_id("RS"), unique_tag()

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark = cp.raw_mark()
            response = await _post(api, f"{station_path(cp_id)}/remote-start", {"connectorId": 1, "idTag": id_tag})
            assert response.status_code == 200, response.text
            assert response.json() == {"status": "Accepted"}
            sent = cp.calls_since(mark, "RemoteStartTransaction")
            assert len(sent) == 1 and sent[0][3] == {"connectorId": 1, "idTag": id_tag}, sent

    run(scenario())


def test_remote_start_without_connector_sends_none(api, ws_base):
    cp_id, id_tag = unique_id("RS"), unique_tag()

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark = cp.raw_mark()
            response = await _post(api, f"{station_path(cp_id)}/remote-start", {"idTag": id_tag})
            assert response.status_code == 200, response.text
            assert response.json() == {"status": "Accepted"}
            sent = cp.calls_since(mark, "RemoteStartTransaction")
            assert len(sent) == 1 and sent[0][3] == {"idTag": id_tag}, sent

    run(scenario())


def test_remote_start_returns_the_charge_points_rejection(api, ws_base):
    cp_id = unique_id("RS")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            cp.answers["RemoteStartTransaction"] = "Rejected"
            response = await _post(api, f"{station_path(cp_id)}/remote-start", {"connectorId": 2, "idTag": unique_tag()})
            assert response.status_code == 200, response.text
            assert response.json() == {"status": "Rejected"}

    run(scenario())


@pytest.mark.parametrize(
    "body", [{}, {"connectorId": 1}, {"idTag": "X" * 21}, {"idTag": 7}, {"idTag": "T", "connectorId": "one"}],
    ids=["empty", "no-idTag", "idTag-too-long", "idTag-number", "connector-string"],
)
def test_remote_start_bad_input_is_400_and_nothing_sent(api, ws_base, body):
    cp_id = unique_id("RS")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark = cp.raw_mark()
            response = await _post(api, f"{station_path(cp_id)}/remote-start", body)
            assert response.status_code == 400, response.text
            assert_error_body(response)
            await asyncio.sleep(0.3)
            assert cp.calls_since(mark) == [], "a refused request reached the charge point"

    run(scenario())


def test_remote_stop_returns_status_and_sends_the_transaction_id(api, ws_base):
    cp_id = unique_id("RSTOP")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            tx_id = (await cp.start_tx(1, unique_tag(), 0)).transaction_id
            mark = cp.raw_mark()
            response = await _post(api, f"{station_path(cp_id)}/remote-stop", {"transactionId": tx_id})
            assert response.status_code == 200, response.text
            assert response.json() == {"status": "Accepted"}
            sent = cp.calls_since(mark, "RemoteStopTransaction")
            assert len(sent) == 1 and sent[0][3] == {"transactionId": tx_id}, sent
            cp.answers["RemoteStopTransaction"] = "Rejected"
            response = await _post(api, f"{station_path(cp_id)}/remote-stop", {"transactionId": tx_id})
            assert response.status_code == 200, response.text
            assert response.json() == {"status": "Rejected"}

    run(scenario())


def test_remote_stop_without_transaction_id_is_400(api, ws_base):
    cp_id = unique_id("RSTOP")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark = cp.raw_mark()
            for body in ({}, {"transactionId": "abc"}):
                response = await _post(api, f"{station_path(cp_id)}/remote-stop", body)
                assert response.status_code == 400, (body, response.text)
                assert_error_body(response)
            await asyncio.sleep(0.3)
            assert cp.calls_since(mark) == []

    run(scenario())


def test_remote_start_then_the_session_it_starts(api, ws_base):
    """Remote start, the charge point starts a transaction, remote stop ends it."""
    cp_id, id_tag = unique_id("FLOW"), unique_tag()
    api.create_tag(id_tag, "Accepted")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark = cp.mark()
            response = await _post(api, f"{station_path(cp_id)}/remote-start", {"connectorId": 1, "idTag": id_tag})
            assert response.json() == {"status": "Accepted"}
            received = await cp.wait_received("RemoteStartTransaction", since=mark)
            start = await cp.start_tx(received["connector_id"], received["id_tag"], 0)
            assert start.id_tag_info["status"] == "Accepted"
            response = await _post(api, f"{station_path(cp_id)}/remote-stop", {"transactionId": start.transaction_id})
            assert response.json() == {"status": "Accepted"}
            await cp.stop_tx(start.transaction_id, 321, reason="Remote")
            return start.transaction_id

    tx = api.transaction(run(scenario()))
    assert (tx["idTag"], tx["meterStop"], tx["stopReason"]) == (id_tag, 321, "Remote")


# -- calls/{action} --------------------------------------------------------------------


def test_get_configuration_returns_the_charge_points_payload(api, ws_base):
    cp_id = unique_id("CALL")
    keys = ["AcceptanceReadOnly", "NoSuchKey"]

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark = cp.mark()
            response = await _post(api, _calls(cp_id, "GetConfiguration"), {"key": keys})
            assert response.status_code == 200, response.text
            assert response.json() == {
                "configurationKey": [{"key": "AcceptanceReadOnly", "readonly": True, "value": "fixed"}],
                "unknownKey": ["NoSuchKey"],
            }
            await cp.wait_received("GetConfiguration", since=mark, match=lambda p: p["key"] == keys)
            response = await _post(api, _calls(cp_id, "GetConfiguration"), {})
            assert response.status_code == 200, response.text
            assert {k["key"] for k in response.json()["configurationKey"]} >= {"AcceptanceWritable", "HeartbeatInterval"}

    run(scenario())


def test_change_configuration_each_answer(api, ws_base):
    cp_id = unique_id("CALL")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            for key, value, status in (
                ("AcceptanceWritable", "changed", "Accepted"),
                ("AcceptanceReadOnly", "x", "Rejected"),
                ("NoSuchKey", "1", "NotSupported"),
            ):
                response = await _post(api, _calls(cp_id, "ChangeConfiguration"), {"key": key, "value": value})
                assert response.status_code == 200, response.text
                assert response.json() == {"status": status}
            assert cp.configuration["AcceptanceWritable"][0] == "changed"
            response = await _post(api, _calls(cp_id, "GetConfiguration"), {"key": ["AcceptanceWritable"]})
            assert response.json()["configurationKey"][0]["value"] == "changed"

    run(scenario())


@pytest.mark.parametrize(
    "action,payload,answer,recorded",
    [
        ("Reset", {"type": "Soft"}, {"status": "Accepted"}, {"type": "Soft"}),
        ("Reset", {"type": "Hard"}, {"status": "Accepted"}, {"type": "Hard"}),
        (
            "TriggerMessage",
            {"requestedMessage": "StatusNotification", "connectorId": 1},
            {"status": "Accepted"},
            {"requested_message": "StatusNotification", "connector_id": 1},
        ),
        ("TriggerMessage", {"requestedMessage": "Heartbeat"}, {"status": "Accepted"}, {"requested_message": "Heartbeat"}),
        ("UnlockConnector", {"connectorId": 1}, {"status": "Unlocked"}, {"connector_id": 1}),
        ("ClearCache", {}, {"status": "Accepted"}, {}),
        ("ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}, {"status": "Scheduled"}, {"connector_id": 0, "type": "Inoperative"}),
        ("DataTransfer", {"vendorId": "com.example", "data": "ping"}, {"status": "Accepted", "data": "pong"}, {"vendor_id": "com.example", "data": "ping"}),
    ],
    ids=["reset-soft", "reset-hard", "trigger-status", "trigger-heartbeat", "unlock", "clear-cache", "availability", "data-transfer"],
)
def test_calls_reach_the_charge_point_and_return_its_answer(api, ws_base, action, payload, answer, recorded):
    cp_id = unique_id("CALL")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark, raw_mark = cp.mark(), cp.raw_mark()
            response = await _post(api, _calls(cp_id, action), payload)
            assert response.status_code == 200, response.text
            assert response.json() == answer
            got = await cp.wait_received(action, since=mark)
            assert got == recorded
            sent = cp.calls_since(raw_mark, action)
            assert len(sent) == 1 and sent[0][3] == payload, sent

    run(scenario())


def test_trigger_message_rejected_by_the_charge_point(api, ws_base):
    cp_id = unique_id("CALL")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            cp.answers["TriggerMessage"] = "Rejected"
            response = await _post(api, _calls(cp_id, "TriggerMessage"), {"requestedMessage": "MeterValues"})
            assert response.status_code == 200
            assert response.json() == {"status": "Rejected"}

    run(scenario())


@pytest.mark.parametrize(
    "action,payload",
    [
        ("Reset", {"type": "Medium"}),
        ("Reset", {}),
        ("Reset", {"type": "Soft", "extra": 1}),
        ("ChangeConfiguration", {"key": "K"}),
        ("ChangeConfiguration", {"key": "K" * 51, "value": "v"}),
        ("GetConfiguration", {"key": "HeartbeatInterval"}),
        ("TriggerMessage", {"requestedMessage": "Authorize"}),
        ("UnlockConnector", {"connectorId": "1"}),
        ("ChangeAvailability", {"connectorId": 1, "type": "Off"}),
        ("RemoteStartTransaction", {"connectorId": 1}),
        ("Reset", ["Soft"]),
    ],
    ids=[
        "enum",
        "missing-required",
        "additional-property",
        "missing-value",
        "too-long",
        "not-an-array",
        "trigger-enum",
        "type",
        "availability-enum",
        "remote-start-no-tag",
        "payload-not-object",
    ],
)
def test_payload_breaking_the_schema_is_400_and_nothing_sent(api, ws_base, action, payload):
    cp_id = unique_id("BAD")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark = cp.raw_mark()
            response = await _post(api, _calls(cp_id, action), payload)
            assert response.status_code == 400, response.text
            assert_error_body(response)
            await asyncio.sleep(0.3)
            assert cp.calls_since(mark) == [], "an invalid payload reached the charge point"

    run(scenario())


def test_body_that_is_not_json_is_400(api, ws_base):
    cp_id = unique_id("BAD")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark = cp.raw_mark()
            response = await asyncio.to_thread(
                api.post, _calls(cp_id, "Reset"), data="{type: Soft", headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 400, response.text
            assert_error_body(response)
            assert cp.calls_since(mark) == []

    run(scenario())


@pytest.mark.parametrize("action", ["FooBar", "BootNotification", "Heartbeat", "reset"], ids=["unknown", "cp-to-cs", "cp-to-cs-2", "wrong-case"])
def test_unknown_or_wrong_direction_action_is_400_or_404(api, ws_base, action):
    cp_id = unique_id("BAD")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark = cp.raw_mark()
            payload = {"type": "Soft"} if action == "reset" else {}
            response = await _post(api, _calls(cp_id, action), payload)
            assert response.status_code in (400, 404), response.text
            assert_error_body(response)
            await asyncio.sleep(0.3)
            assert cp.calls_since(mark) == []

    run(scenario())


def test_unknown_station_is_404(api):
    cp_id = unique_id("NOSUCH")
    for path, body in (
        (_calls(cp_id, "Reset"), {"type": "Soft"}),
        (f"{station_path(cp_id)}/remote-start", {"idTag": unique_tag()}),
        (f"{station_path(cp_id)}/remote-stop", {"transactionId": 1}),
    ):
        response = api.post(path, json=body)
        assert response.status_code == 404, (path, response.text)
        assert_error_body(response)


def test_disconnected_station_is_409(api, ws_base):
    cp_id = unique_id("GONE")

    async def scenario():
        async with charge_point(ws_base, cp_id):
            pass

    run(scenario())
    api.wait_station(cp_id, lambda s: s["connected"] is False)
    for path, body in (
        (_calls(cp_id, "Reset"), {"type": "Soft"}),
        (f"{station_path(cp_id)}/remote-start", {"idTag": unique_tag()}),
        (f"{station_path(cp_id)}/remote-stop", {"transactionId": 1}),
    ):
        response = api.post(path, json=body)
        assert response.status_code == 409, (path, response.text)
        assert_error_body(response)


def test_never_connected_station_is_409(api):
    cp_id = unique_id("NEVER")
    api.create_station(cp_id)
    response = api.post(_calls(cp_id, "ClearCache"), json={})
    assert response.status_code == 409, response.text
    assert_error_body(response)


class _NoHandlers(SimChargePoint):
    """Answers ClearCache and RemoteStartTransaction with CALLERRORs."""

    async def route_message(self, raw_msg):
        frame = json.loads(raw_msg)
        if isinstance(frame, list) and frame and frame[0] == 2 and frame[2] in ("ClearCache", "RemoteStartTransaction"):
            self.raw_calls.append(frame)
            await self._send(json.dumps([4, frame[1], "InternalError", "cannot", {"why": "test"}]))
            return
        await super().route_message(raw_msg)


def test_callerror_from_the_charge_point_is_502(api, ws_base):
    cp_id = unique_id("ERR")

    async def scenario():
        async with charge_point(ws_base, cp_id, cls=_NoHandlers) as cp:
            for path, body in (
                (_calls(cp_id, "ClearCache"), {}),
                (f"{station_path(cp_id)}/remote-start", {"idTag": unique_tag()}),
            ):
                response = await _post(api, path, body)
                assert response.status_code == 502, (path, response.text)
                assert_error_body(response)
            # the connection is fine afterwards
            response = await _post(api, _calls(cp_id, "Reset"), {"type": "Soft"})
            assert response.status_code == 200, response.text
            await cp.heartbeat()

    run(scenario())


def test_library_not_implemented_answer_is_502(api, ws_base):
    """The `ocpp` package answers an action without a handler with a
    CALLERROR of its own (GetLocalListVersion here)."""
    cp_id = unique_id("ERR")

    async def scenario():
        async with charge_point(ws_base, cp_id):
            response = await _post(api, _calls(cp_id, "GetLocalListVersion"), {})
            assert response.status_code == 502, response.text
            assert_error_body(response)

    run(scenario())


def test_no_answer_is_504_after_timeout(api, ws_base):
    cp_id = unique_id("SLOW")

    async def scenario():
        async with raw_client(ws_base, cp_id, answer_calls=False) as raw:
            began = time.monotonic()
            response = await _post(api, _calls(cp_id, "Reset"), {"type": "Soft"}, timeout=1)
            elapsed = time.monotonic() - began
            assert response.status_code == 504, response.text
            assert_error_body(response)
            assert 0.8 <= elapsed < 8, f"answered after {elapsed:.1f} s with ?timeout=1"
            frame = await raw.next_call("Reset", timeout=2)
            assert frame[3] == {"type": "Soft"}

    run(scenario())


def test_calls_sent_are_counted_by_action_and_outcome(api, ws_base):
    """Every call the server sends is counted by action and how it ended; an answer, CALLERROR
    or not, is timed. A call refused before sending (a payload breaking the schema) counts
    nothing."""

    def sample(series: str) -> float:
        return metric_value(api.get("/metrics").text, series) or 0

    counted = {
        "clear_result": 'ampere_ocpp_calls_sent_total{action="ClearCache",outcome="result"}',
        "clear_error": 'ampere_ocpp_calls_sent_total{action="ClearCache",outcome="call_error"}',
        "reset_timeout": 'ampere_ocpp_calls_sent_total{action="Reset",outcome="timeout"}',
        "reset_result": 'ampere_ocpp_calls_sent_total{action="Reset",outcome="result"}',
        "clear_timed": 'ampere_ocpp_call_answer_seconds_count{action="ClearCache"}',
        "reset_timed": 'ampere_ocpp_call_answer_seconds_count{action="Reset"}',
    }
    before = {name: sample(series) for name, series in counted.items()}

    async def scenario():
        async with charge_point(ws_base, unique_id("MSENT")) as cp:
            assert (await _post(api, _calls(cp.id, "ClearCache"), {})).status_code == 200
            assert (await _post(api, _calls(cp.id, "Reset"), {"type": "Sideways"})).status_code == 400
        async with charge_point(ws_base, unique_id("MSENT"), cls=_NoHandlers) as cp:
            assert (await _post(api, _calls(cp.id, "ClearCache"), {})).status_code == 502
        slow = unique_id("MSENT")
        async with raw_client(ws_base, slow, answer_calls=False):
            response = await _post(api, _calls(slow, "Reset"), {"type": "Soft"}, timeout=1)
            assert response.status_code == 504, response.text

    run(scenario())
    after = {name: sample(series) for name, series in counted.items()}
    assert after["clear_result"] == before["clear_result"] + 1
    assert after["clear_error"] == before["clear_error"] + 1
    assert after["clear_timed"] == before["clear_timed"] + 2
    assert after["reset_timeout"] == before["reset_timeout"] + 1
    # Neither the refused Reset nor the one that timed out was answered.
    assert after["reset_result"] == before["reset_result"]
    assert after["reset_timed"] == before["reset_timed"]


def test_station_usable_after_a_timeout_and_a_late_answer(api, ws_base):
    cp_id = unique_id("SLOW")

    async def scenario():
        async with raw_client(ws_base, cp_id, answer_calls=False) as raw:
            response = await _post(api, _calls(cp_id, "ClearCache"), {}, timeout=1)
            assert response.status_code == 504, response.text
            late = await raw.next_call("ClearCache", timeout=2)
            await raw.send(json.dumps([3, late[1], {"status": "Accepted"}]))  # too late

            async def answer_next():
                frame = await raw.next_call("Reset", timeout=10)
                await raw.send(json.dumps([3, frame[1], {"status": "Rejected"}]))

            answering = asyncio.create_task(answer_next())
            response = await _post(api, _calls(cp_id, "Reset"), {"type": "Hard"}, timeout=5)
            await answering
            assert response.status_code == 200, response.text
            assert response.json() == {"status": "Rejected"}
            await raw.heartbeat_ok()

    run(scenario())


def test_bad_timeout_parameter_is_400(api, ws_base):
    cp_id = unique_id("SLOW")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            mark = cp.raw_mark()
            response = await _post(api, _calls(cp_id, "ClearCache"), {}, timeout="soon")
            assert response.status_code == 400, response.text
            assert_error_body(response)
            assert cp.calls_since(mark) == []

    run(scenario())


def test_call_timeout_option_sets_the_default(server_factory):
    proc = server_factory("--call-timeout", "2")
    api = proc.api()
    cp_id = unique_id("SLOW")

    async def scenario():
        async with raw_client(proc.ws_url, cp_id, answer_calls=False):
            began = time.monotonic()
            response = await _post(api, _calls(cp_id, "ClearCache"), {})
            elapsed = time.monotonic() - began
            assert response.status_code == 504, response.text
            assert 1.5 <= elapsed < 10, elapsed

    run(scenario())


def test_concurrent_calls_to_one_station_are_all_answered(api, ws_base):
    """OCPP-J allows one outstanding CALL per direction: the server must queue
    the second REST call, not fail it."""
    cp_id = unique_id("QUEUE")

    async def scenario():
        session = await open_charge_point(ws_base, cp_id)
        try:
            session.cp.delay = 0.5
            responses = await asyncio.gather(
                *(_post(api, _calls(cp_id, "GetConfiguration"), {"key": ["AcceptanceReadOnly"]}) for _ in range(4))
            )
            for response in responses:
                assert response.status_code == 200, response.text
                assert response.json()["configurationKey"][0]["value"] == "fixed"
            ids = [c[1] for c in session.cp.calls_since(0, "GetConfiguration")]
            assert len(ids) == 4 and len(set(ids)) == 4, "message ids of CALLs must differ"
        finally:
            await session.close()

    run(scenario())


# -- the message log -------------------------------------------------------------------


def test_message_log_has_both_directions_newest_first(api, ws_base):
    cp_id = unique_id("LOG")

    async def scenario():
        async with raw_client(ws_base, cp_id, boot=False) as raw:
            await raw.call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}, unique_id="boot-log-1")
            await raw.call("Heartbeat", {}, unique_id="hb-log-1")
            reply = await raw.call("NoSuchAction", {}, unique_id="bad-log-1")
            assert reply[0] == 4

    run(scenario())

    def complete(items):
        keys = {(i.get("direction"), i.get("messageType"), i.get("messageId")) for i in items}
        return {
            ("received", 2, "boot-log-1"),
            ("sent", 3, "boot-log-1"),
            ("received", 2, "hb-log-1"),
            ("sent", 3, "hb-log-1"),
            ("sent", 4, "bad-log-1"),
        } <= keys

    items = api.wait_messages(cp_id, complete)
    for item in items:
        assert {"id", "direction", "messageType", "messageId", "action", "frame", "at"} <= set(item), item
        assert item["direction"] in ("received", "sent")
        assert item["messageType"] in (2, 3, 4)

    def index(direction, mtype, mid):
        return next(n for n, i in enumerate(items) if (i["direction"], i["messageType"], i["messageId"]) == (direction, mtype, mid))

    boot_call = items[index("received", 2, "boot-log-1")]
    assert boot_call["action"] == "BootNotification"
    assert frame_of(boot_call) == [2, "boot-log-1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]
    boot_result = items[index("sent", 3, "boot-log-1")]
    assert frame_of(boot_result)[2]["status"] == "Accepted"
    # newest first: heartbeat after boot, answers after their calls
    assert index("received", 2, "hb-log-1") < index("received", 2, "boot-log-1")
    assert index("sent", 3, "boot-log-1") < index("received", 2, "boot-log-1")
    assert index("sent", 4, "bad-log-1") < index("sent", 3, "hb-log-1")
    error = frame_of(items[index("sent", 4, "bad-log-1")])
    assert error[0] == 4 and error[2] == "NotImplemented"


def test_message_log_has_rest_initiated_calls(api, ws_base):
    cp_id = unique_id("LOG")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            response = await _post(api, _calls(cp_id, "Reset"), {"type": "Soft"})
            assert response.status_code == 200
            return cp.calls_since(0, "Reset")[0][1]

    message_id = run(scenario())

    def complete(items):
        keys = {(i.get("direction"), i.get("messageType"), i.get("messageId")) for i in items}
        return {("sent", 2, message_id), ("received", 3, message_id)} <= keys

    items = api.wait_messages(cp_id, complete)
    sent = next(i for i in items if (i["direction"], i["messageType"]) == ("sent", 2) and i["messageId"] == message_id)
    assert sent["action"] == "Reset"
    assert frame_of(sent) == [2, message_id, "Reset", {"type": "Soft"}]


def test_message_log_pagination_and_unknown_station(api, ws_base):
    cp_id = unique_id("LOG")

    async def scenario():
        async with raw_client(ws_base, cp_id) as raw:
            for n in range(3):
                await raw.call("Heartbeat", {}, unique_id=f"p-{n}")

    run(scenario())
    items = api.wait_messages(cp_id, lambda i: len(i) >= 8)
    page = api.get(f"{station_path(cp_id)}/messages", params={"limit": 3, "offset": 2}).json()
    assert page["total"] == len(items)
    assert [i["id"] for i in page["items"]] == [i["id"] for i in items[2:5]]
    response = api.get(f"{station_path(unique_id('NOSUCH'))}/messages")
    assert response.status_code == 404
    assert_error_body(response)
