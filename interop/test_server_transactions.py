"""StartTransaction / MeterValues / StopTransaction, their idempotency, and
the transaction REST views."""

import asyncio
import datetime as dt

import pytest
from ocpp.v16 import call

from support import (
    ENERGY,
    assert_error_body,
    assert_utc_timestamp,
    charge_point,
    iso,
    list_items,
    normalize_sampled_values,
    parse_ts,
    raw_client,
    run,
    same_moment,
    sampled_number,
    sampled_value_items,
    unique_id,
    unique_tag,
    utc_now,
)

TX_FIELDS = {
    "id",
    "chargingStationId",
    "connectorId",
    "idTag",
    "meterStart",
    "meterStop",
    "energyWh",
    "startedAt",
    "stoppedAt",
    "stopReason",
}


def _samples(t0, minutes, base=12345):
    return [
        (
            iso(t0 + dt.timedelta(minutes=m)),
            [(ENERGY, base + 1500 * m, "Wh"), ("Power.Active.Import", 7200 + 10 * m, "W"), ("SoC", 20 + 5 * m, "Percent")],
        )
        for m in minutes
    ]


def test_full_session_with_meter_values(api, ws_base):
    cp_id = unique_id("TX")
    id_tag = unique_tag()
    api.create_tag(id_tag, "Accepted")
    t0 = utc_now() - dt.timedelta(minutes=10)
    started, stopped = iso(t0), iso(t0 + dt.timedelta(minutes=6))
    samples = _samples(t0, range(1, 6))

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            await cp.status(1, "Preparing")
            assert (await cp.authorize(id_tag)).id_tag_info["status"] == "Accepted"
            start = await cp.start_tx(1, id_tag, 12345, timestamp=started)
            assert start.id_tag_info["status"] == "Accepted"
            tx_id = start.transaction_id
            await cp.status(1, "Charging")
            active = await asyncio.to_thread(api.transaction, tx_id)
            assert active["stoppedAt"] is None and active["meterStop"] is None and active["stopReason"] is None
            for sample in samples[:3]:
                assert await cp.meter_values(1, tx_id, [sample]) is not None
            assert await cp.meter_values(1, tx_id, samples[3:]) is not None
            stop = await cp.stop_tx(tx_id, 19876, reason="EVDisconnected", id_tag=id_tag, timestamp=stopped)
            if stop.id_tag_info is not None:
                assert stop.id_tag_info["status"] == "Accepted"
            await cp.status(1, "Finishing")
            return tx_id

    tx_id = run(scenario())
    tx = api.transaction(tx_id)
    assert TX_FIELDS <= set(tx), f"missing {TX_FIELDS - set(tx)}"
    assert tx["id"] == tx_id
    assert tx["chargingStationId"] == cp_id
    assert tx["connectorId"] == 1
    assert tx["idTag"] == id_tag
    assert tx["meterStart"] == 12345
    assert tx["meterStop"] == 19876
    assert tx["energyWh"] == 19876 - 12345
    assert tx["stopReason"] == "EVDisconnected"
    assert_utc_timestamp(tx["startedAt"])
    assert_utc_timestamp(tx["stoppedAt"])
    assert same_moment(tx["startedAt"], started), (tx["startedAt"], started)
    assert same_moment(tx["stoppedAt"], stopped), (tx["stoppedAt"], stopped)

    got = normalize_sampled_values(api.meter_values(tx_id))
    times = [item[0] for item in got]
    assert times == sorted(times), "meter values are not oldest first"
    expected = sorted((parse_ts(ts), m, float(v), u) for ts, values in samples for m, v, u in values)
    assert sorted(got) == expected


def test_active_transaction_view(api, ws_base):
    cp_id = unique_id("TX")
    id_tag = unique_tag()

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            return (await cp.start_tx(2, id_tag, 777)).transaction_id

    tx = api.transaction(run(scenario()))
    assert TX_FIELDS <= set(tx)
    assert tx["connectorId"] == 2
    assert tx["meterStart"] == 777
    assert tx["meterStop"] is None
    assert tx["stoppedAt"] is None
    assert tx["stopReason"] is None
    assert tx["energyWh"] is None or isinstance(tx["energyWh"], (int, float))


def test_stop_reason_default_and_every_reason(api, ws_base):
    cp_id = unique_id("TX")
    reasons = ["EmergencyStop", "HardReset", "Local", "Other", "PowerLoss", "Reboot", "Remote", "SoftReset", "UnlockCommand"]

    async def scenario():
        ids = {}
        async with charge_point(ws_base, cp_id) as cp:
            for n, reason in enumerate(reasons):
                start = await cp.start_tx(1, unique_tag(), n)
                await cp.stop_tx(start.transaction_id, n + 10, reason=reason)
                ids[reason] = start.transaction_id
            start = await cp.start_tx(1, unique_tag(), 0)
            await cp.call(
                call.StopTransaction(meter_stop=5, timestamp=iso(), transaction_id=start.transaction_id), suppress=False
            )
            ids[None] = start.transaction_id
        return ids

    ids = run(scenario())
    for reason, tx_id in ids.items():
        tx = api.transaction(tx_id)
        if reason is None:
            assert tx["stopReason"] in (None, "Local"), tx
            assert tx["stoppedAt"] is not None and tx["meterStop"] == 5
        else:
            assert tx["stopReason"] == reason, tx


def test_transaction_ids_are_unique_across_stations(api, ws_base):
    async def one(cp_id):
        async with charge_point(ws_base, cp_id) as cp:
            return [(await cp.start_tx(c, unique_tag(), 0)).transaction_id for c in (1, 2)]

    async def scenario():
        return await asyncio.gather(*(one(unique_id("UNIQ")) for _ in range(5)))

    ids = [tx for pair in run(scenario()) for tx in pair]
    assert len(set(ids)) == len(ids), ids


def test_filters_station_active_and_pagination(api, ws_base):
    cp_id = unique_id("FILT")
    other = unique_id("FILT")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            a = (await cp.start_tx(1, unique_tag(), 0)).transaction_id
            b = (await cp.start_tx(2, unique_tag(), 0)).transaction_id
            c = (await cp.start_tx(3, unique_tag(), 0)).transaction_id
            await cp.stop_tx(a, 10)
        async with charge_point(ws_base, other) as cp:
            d = (await cp.start_tx(1, unique_tag(), 0)).transaction_id
        return a, b, c, d

    a, b, c, d = run(scenario())
    mine = api.get("/transactions", params={"chargingStationId": cp_id, "limit": 100}).json()
    assert mine["total"] == 3
    assert {t["id"] for t in list_items(mine)} == {a, b, c}
    for item in mine["items"]:
        assert TX_FIELDS <= set(item), item

    active = api.transactions_of(cp_id, active="true")
    assert {t["id"] for t in active} == {b, c}
    assert all(t["stoppedAt"] is None for t in active)
    finished = api.transactions_of(cp_id, active="false")
    assert {t["id"] for t in finished} == {a}
    assert all(t["stoppedAt"] is not None for t in finished)

    page1 = api.get("/transactions", params={"chargingStationId": cp_id, "limit": 2, "offset": 0}).json()
    page2 = api.get("/transactions", params={"chargingStationId": cp_id, "limit": 2, "offset": 2}).json()
    assert page1["total"] == page2["total"] == 3
    assert len(page1["items"]) == 2 and len(page2["items"]) == 1
    assert {t["id"] for t in page1["items"] + page2["items"]} == {a, b, c}

    everything = api.get("/transactions", params={"limit": 1000}).json()
    assert {a, b, c, d} <= {t["id"] for t in list_items(everything)}
    assert everything["total"] >= 4

    all_active = api.get("/transactions", params={"active": "true", "limit": 1000}).json()
    ids = {t["id"] for t in list_items(all_active)}
    assert {b, c, d} <= ids and a not in ids


def test_station_transaction_id_filter(api, ws_base):
    cp_id = unique_id("STX")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            return (await cp.start_tx(1, unique_tag(), 0)).transaction_id

    tx_id = run(scenario())
    none = api.get("/transactions", params={"stationTransactionId": "no-such-" + unique_id("x")}).json()
    assert list_items(none) == [] and none["total"] == 0
    tx = api.transaction(tx_id)
    if tx.get("stationTransactionId") is not None:
        found = api.get("/transactions", params={"stationTransactionId": tx["stationTransactionId"]}).json()
        assert tx_id in {t["id"] for t in list_items(found)}


def test_unknown_transaction_is_404(api):
    for path in ("/transactions/987654321", "/transactions/987654321/meter-values"):
        response = api.get(path)
        assert response.status_code == 404, (path, response.text)
        assert_error_body(response)
    response = api.get("/transactions/not-a-number")
    assert response.status_code in (400, 404)
    assert_error_body(response)


def test_meter_values_are_flat_items_with_ocpp_defaults(api, ws_base):
    cp_id = unique_id("MV")
    t0 = utc_now() - dt.timedelta(minutes=30)
    t1, t2, t3 = (iso(t0 + dt.timedelta(minutes=m)) for m in (1, 2, 3))
    bare = {"value": "1234"}
    full = {
        "value": "16.2",
        "context": "Sample.Clock",
        "format": "Raw",
        "measurand": "Current.Import",
        "phase": "L1",
        "location": "Outlet",
        "unit": "A",
    }
    no_unit = {"value": "1300", "context": "Sample.Clock", "measurand": ENERGY}
    signed = {
        "value": "U0lHTkVE+ZGF0YQ/x==",
        "context": "Trigger",
        "format": "SignedData",
        "measurand": ENERGY,
        "location": "Cable",
        "unit": "kWh",
    }

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            tx_id = (await cp.start_tx(1, unique_tag(), 1000, timestamp=iso(t0))).transaction_id
            for timestamp, samples in ((t3, [signed]), (t1, [bare]), (t2, [full, no_unit])):
                request = call.MeterValues(
                    connector_id=1, transaction_id=tx_id, meter_value=[{"timestamp": timestamp, "sampledValue": samples}]
                )
                assert await cp.call(request, suppress=False) is not None
            return tx_id

    items = sampled_value_items(api.meter_values(run(scenario())))
    assert len(items) == 4, items
    assert [parse_ts(i["timestamp"]) for i in items] == [parse_ts(t) for t in (t1, t2, t2, t3)]
    first = items[0]
    assert sampled_number(first) == 1234
    assert (first["measurand"], first["unit"], first["context"]) == (ENERGY, "Wh", "Sample.Periodic"), first
    assert first.get("phase") is None
    assert first.get("location") in (None, "Outlet")
    assert first.get("format") in (None, "Raw")
    by_measurand = {i["measurand"]: i for i in items[1:3]}
    assert set(by_measurand) == {"Current.Import", ENERGY}
    current = by_measurand["Current.Import"]
    assert sampled_number(current) == 16.2
    for key in ("context", "format", "phase", "location", "unit"):
        assert current.get(key) == full[key], (key, current)
    energy = by_measurand[ENERGY]
    assert (sampled_number(energy), energy["unit"], energy["context"]) == (1300, "Wh", "Sample.Clock")
    last = items[3]
    assert last["value"] == signed["value"], "a SignedData value must come back as sent"
    for key in ("context", "format", "measurand", "location", "unit"):
        assert last.get(key) == signed[key], (key, last)


def test_stop_transaction_data_joins_the_meter_values(api, ws_base):
    cp_id = unique_id("MVS")
    t0 = utc_now() - dt.timedelta(minutes=20)

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            tx_id = (await cp.start_tx(1, unique_tag(), 100, timestamp=iso(t0))).transaction_id
            await cp.meter_values(1, tx_id, [(iso(t0 + dt.timedelta(minutes=1)), [(ENERGY, 150, "Wh")])])
            data = [
                {
                    "timestamp": iso(t0 + dt.timedelta(minutes=5)),
                    "sampledValue": [{"value": "400", "context": "Transaction.End", "measurand": ENERGY, "unit": "Wh"}],
                }
            ]
            await cp.stop_tx(tx_id, 400, timestamp=iso(t0 + dt.timedelta(minutes=5)), transaction_data=data)
            return tx_id

    items = sampled_value_items(api.meter_values(run(scenario())))
    assert [(sampled_number(i), i["context"]) for i in items] == [(150, "Sample.Periodic"), (400, "Transaction.End")], items


def test_meter_values_outside_a_transaction_do_not_join_it(api, ws_base):
    cp_id = unique_id("MVO")

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            tx_id = (await cp.start_tx(1, unique_tag(), 0)).transaction_id
            request = call.MeterValues(
                connector_id=2, meter_value=[{"timestamp": iso(), "sampledValue": [{"value": "999"}]}]
            )
            assert await cp.call(request, suppress=False) is not None
            request = call.MeterValues(
                connector_id=0, meter_value=[{"timestamp": iso(), "sampledValue": [{"value": "5", "measurand": "Voltage", "unit": "V"}]}]
            )
            assert await cp.call(request, suppress=False) is not None
            return tx_id

    assert api.meter_values(run(scenario())) == []


def test_meter_values_pagination(api, ws_base):
    cp_id = unique_id("MVP")
    t0 = utc_now() - dt.timedelta(hours=1)

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            tx_id = (await cp.start_tx(1, unique_tag(), 0, timestamp=iso(t0))).transaction_id
            for m in range(6):
                await cp.meter_values(1, tx_id, [(iso(t0 + dt.timedelta(minutes=m + 1)), [(ENERGY, 100 * m, "Wh")])])
            return tx_id

    tx_id = run(scenario())
    page = api.get(f"/transactions/{tx_id}/meter-values", params={"limit": 2, "offset": 3}).json()
    assert page["total"] == 6
    assert [sampled_number(i) for i in list_items(page)] == [300, 400]


# -- idempotency -------------------------------------------------------------------------


def test_repeated_start_transaction_returns_the_same_id(api, ws_base):
    cp_id = unique_id("IDEM")
    id_tag = unique_tag()
    api.create_tag(id_tag, "Accepted")
    timestamp = iso(utc_now() - dt.timedelta(seconds=5))

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            first = await cp.start_tx(1, id_tag, 4242, timestamp=timestamp)
            second = await cp.start_tx(1, id_tag, 4242, timestamp=timestamp)
            third = await cp.start_tx(1, id_tag, 4242, timestamp=timestamp)
            return first, second, third

    first, second, third = run(scenario())
    assert first.transaction_id == second.transaction_id == third.transaction_id
    assert len(api.transactions_of(cp_id)) == 1


def test_repeated_start_transaction_answers_as_the_first_time(api, ws_base):
    """A resend after a lost answer must not see its own transaction as a
    concurrent one."""
    cp_id = unique_id("IDEM")
    id_tag = unique_tag()
    api.create_tag(id_tag, "Accepted")
    timestamp = iso()

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            first = await cp.start_tx(1, id_tag, 1, timestamp=timestamp)
            second = await cp.start_tx(1, id_tag, 1, timestamp=timestamp)
            assert first.id_tag_info["status"] == "Accepted"
            assert second.id_tag_info["status"] == "Accepted", second

    run(scenario())


def test_repeated_start_on_a_new_connection_returns_the_same_id(api, ws_base):
    cp_id = unique_id("IDEM")
    id_tag = unique_tag()
    timestamp = iso()

    async def once():
        async with charge_point(ws_base, cp_id) as cp:
            return (await cp.start_tx(1, id_tag, 10, timestamp=timestamp)).transaction_id

    assert run(once()) == run(once())
    assert len(api.transactions_of(cp_id)) == 1


@pytest.mark.parametrize("differs", ["timestamp", "meterStart", "connector", "idTag"])
def test_start_differing_in_one_field_is_a_new_transaction(api, ws_base, differs):
    cp_id = unique_id("NEWTX")
    base = {"connector": 1, "id_tag": unique_tag(), "meter": 100, "timestamp": iso(utc_now() - dt.timedelta(minutes=1))}
    changed = dict(base)
    if differs == "timestamp":
        changed["timestamp"] = iso(utc_now())
    elif differs == "meterStart":
        changed["meter"] = 101
    elif differs == "connector":
        changed["connector"] = 2
    else:
        changed["id_tag"] = unique_tag()

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            ids = []
            for p in (base, changed):
                ids.append((await cp.start_tx(p["connector"], p["id_tag"], p["meter"], timestamp=p["timestamp"])).transaction_id)
            return ids

    a, b = run(scenario())
    assert a != b
    assert len(api.transactions_of(cp_id)) == 2


def test_repeated_meter_values_are_stored_once(api, ws_base):
    cp_id = unique_id("IDEM")
    t0 = utc_now() - dt.timedelta(minutes=5)
    sample = [(iso(t0 + dt.timedelta(minutes=1)), [(ENERGY, 1111, "Wh"), ("Power.Active.Import", 50, "W")])]

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            tx_id = (await cp.start_tx(1, unique_tag(), 1000, timestamp=iso(t0))).transaction_id
            for _ in range(3):
                assert await cp.meter_values(1, tx_id, sample) is not None
            return tx_id

    items = api.meter_values(run(scenario()))
    assert len(items) == 2, f"a resent MeterValues was stored twice: {items}"


def test_repeated_stop_transaction_is_answered_and_changes_nothing(api, ws_base):
    cp_id = unique_id("IDEM")
    stopped = iso(utc_now() - dt.timedelta(seconds=3))

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            tx_id = (await cp.start_tx(1, unique_tag(), 10, timestamp=iso(utc_now() - dt.timedelta(minutes=1)))).transaction_id
            data = [{"timestamp": stopped, "sampledValue": [{"value": "60", "context": "Transaction.End"}]}]
            for _ in range(2):
                assert await cp.stop_tx(tx_id, 60, reason="EVDisconnected", timestamp=stopped, transaction_data=data) is not None
            return tx_id

    tx_id = run(scenario())
    tx = api.transaction(tx_id)
    assert (tx["meterStop"], tx["energyWh"], tx["stopReason"]) == (60, 50, "EVDisconnected")
    assert same_moment(tx["stoppedAt"], stopped)
    assert len(api.meter_values(tx_id)) == 1, "transactionData of a resent StopTransaction was stored twice"


def test_stop_transaction_for_unknown_id_is_answered_normally(api, ws_base):
    cp_id = unique_id("UNKSTOP")

    async def scenario():
        async with raw_client(ws_base, cp_id) as raw:
            reply = await raw.call(
                "StopTransaction", {"transactionId": 987654, "meterStop": 5, "timestamp": iso(), "reason": "Local"}, unique_id="stop-1"
            )
            assert reply[0] == 3 and reply[1] == "stop-1", f"StopTransaction for an unknown id answered {reply}"
            assert isinstance(reply[2], dict)
            reply = await raw.call(
                "StopTransaction", {"transactionId": 987655, "meterStop": 5, "timestamp": iso(), "idTag": "SOMEONE"}, unique_id="stop-2"
            )
            assert reply[0] == 3, reply
            if "idTagInfo" in reply[2]:
                assert reply[2]["idTagInfo"]["status"] == "Invalid"
            await raw.heartbeat_ok()

    run(scenario())
    assert api.get("/transactions/987654").status_code == 404
    assert api.transactions_of(cp_id) == []



def test_charge_point_timestamps_with_offsets_come_back_in_utc(api, ws_base):
    cp_id = unique_id("TZ")
    started = "2024-05-01T12:00:00+02:00"  # 10:00:00 UTC, no fraction
    sample_at = "2024-05-01T07:30:00.5-03:00"  # 10:30:00.500 UTC
    stopped = "2024-05-01T11:00:00Z"

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            tx_id = (await cp.start_tx(1, unique_tag(), 0, timestamp=started)).transaction_id
            await cp.meter_values(1, tx_id, [(sample_at, [(ENERGY, 500, "Wh")])])
            await cp.stop_tx(tx_id, 1000, timestamp=stopped)
            return tx_id

    tx_id = run(scenario())
    tx = api.transaction(tx_id)
    assert_utc_timestamp(tx["startedAt"])
    assert parse_ts(tx["startedAt"]) == dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.timezone.utc), tx["startedAt"]
    assert parse_ts(tx["stoppedAt"]) == dt.datetime(2024, 5, 1, 11, 0, tzinfo=dt.timezone.utc), tx["stoppedAt"]
    (item,) = sampled_value_items(api.meter_values(tx_id))
    assert parse_ts(item["timestamp"]) == dt.datetime(2024, 5, 1, 10, 30, 0, 500000, tzinfo=dt.timezone.utc), item


def test_consumption_summary_follows_the_meter_values(api, ws_base):
    """The transaction carries what its meter values add up to, whatever order they came in."""
    cp_id = unique_id("CONS")
    t0 = utc_now() - dt.timedelta(minutes=30)
    power = "Power.Active.Import"

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            tx_id = (await cp.start_tx(1, unique_tag(), 1000, timestamp=iso(t0))).transaction_id
            late = (iso(t0 + dt.timedelta(minutes=10)), [(ENERGY, 1.25, "kWh"), (power, 11, "kW")])
            newest = (iso(t0 + dt.timedelta(minutes=20)), [(ENERGY, 1500, "Wh"), (power, 3600, "W")])
            assert await cp.meter_values(1, tx_id, [newest]) is not None
            # An offline queue delivers older values afterwards: the maximum rises, the newest values stay.
            assert await cp.meter_values(1, tx_id, [late]) is not None
            assert await cp.meter_values(1, tx_id, [newest]) is not None
            return tx_id

    tx_id = run(scenario())
    summary = api.transaction(tx_id)["consumption"]
    assert summary["energyRegisterWh"] == 1500
    assert summary["energyWh"] == 500
    assert summary["maxPowerW"] == 11000
    assert same_moment(summary["lastSampleAt"], iso(t0 + dt.timedelta(minutes=20)))
    assert summary["durationSeconds"] == 1200
    assert sorted((v["measurand"], float(v["value"]), v["unit"]) for v in summary["lastValues"]) == [
        (ENERGY, 1500.0, "Wh"),
        (power, 3600.0, "W"),
    ]
    listed = api.get("/api/v1/transactions", params={"chargingStationId": cp_id}).json()["items"]
    assert [item["consumption"]["maxPowerW"] for item in listed] == [11000]


def test_latest_meter_values_of_a_station(api, ws_base):
    cp_id = unique_id("LATEST")
    t0 = utc_now() - dt.timedelta(minutes=10)

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            tx_id = (await cp.start_tx(1, unique_tag(), 0, timestamp=iso(t0))).transaction_id
            await cp.meter_values(1, tx_id, [(iso(t0 + dt.timedelta(minutes=1)), [(ENERGY, 10, "Wh")])])
            await cp.meter_values(
                1, tx_id, [(iso(t0 + dt.timedelta(minutes=2)), [(ENERGY, 20, "Wh"), ("Current.Import", 16, "A")])]
            )
            return tx_id

    tx_id = run(scenario())
    items = api.get(f"/api/v1/charging-stations/{cp_id}/meter-values/latest").json()["items"]
    assert sorted((i["connectorId"], i["transactionId"], i["measurand"], i["value"]) for i in items) == [
        (1, tx_id, "Current.Import", "16"),
        (1, tx_id, ENERGY, "20"),
    ]
    assert all(same_moment(i["timestamp"], iso(t0 + dt.timedelta(minutes=2))) for i in items)
    assert api.get(f"/api/v1/charging-stations/{unique_id('NOPE')}/meter-values/latest").status_code == 404
