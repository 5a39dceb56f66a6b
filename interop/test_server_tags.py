"""Id tags: the REST resource, and the authorization rules of Authorize and
StartTransaction (CONTRACT.md, last section)."""

import asyncio
import datetime as dt

import pytest

from support import (
    assert_error_body,
    charge_point,
    iso,
    list_items,
    open_charge_point,
    parse_ts,
    run,
    tag_path,
    unique_id,
    unique_tag,
    utc_now,
)

STATUSES = ["Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"]


def _mixed_case(tag: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(tag))


# -- the REST resource ----------------------------------------------------------------


def test_create_returns_201_with_the_tag(api):
    id_tag = unique_tag("C")
    expiry = iso(utc_now() + dt.timedelta(days=30))
    response = api.post("/tags", json={"idTag": id_tag, "status": "Accepted", "expiryDate": expiry})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["idTag"] == id_tag
    assert body["status"] == "Accepted"
    assert abs((parse_ts(body["expiryDate"]) - parse_ts(expiry)).total_seconds()) < 1


@pytest.mark.parametrize("status", STATUSES)
def test_every_authorization_status_can_be_stored(api, status):
    id_tag = unique_tag("S")
    assert api.create_tag(id_tag, status)["status"] == status
    assert api.get(tag_path(id_tag)).json()["status"] == status


def test_duplicate_in_any_case_is_409(api):
    id_tag = unique_tag("dup")
    api.create_tag(id_tag)
    for variant in (id_tag, id_tag.upper(), id_tag.lower(), _mixed_case(id_tag)):
        response = api.post("/tags", json={"idTag": variant, "status": "Blocked"})
        assert response.status_code == 409, (variant, response.status_code, response.text)
        assert_error_body(response)
    assert api.get(tag_path(id_tag)).json()["status"] == "Accepted", "a refused duplicate changed the tag"


def test_get_is_case_insensitive(api):
    id_tag = unique_tag("Ci")
    api.create_tag(id_tag, "Blocked")
    for variant in (id_tag, id_tag.upper(), id_tag.lower()):
        response = api.get(tag_path(variant))
        assert response.status_code == 200, (variant, response.text)
        assert response.json()["idTag"].lower() == id_tag.lower()
        assert response.json()["status"] == "Blocked"


def test_unknown_tag_is_404_on_get_put_delete(api):
    id_tag = unique_tag("NONE")
    for method, body in (("GET", None), ("PUT", {"status": "Accepted"}), ("DELETE", None)):
        response = api.request(method, tag_path(id_tag), json=body)
        assert response.status_code == 404, (method, response.text)
        assert_error_body(response)


def test_put_replaces_status_expiry_and_parent(api):
    parent = unique_tag("P")
    api.create_tag(parent)
    id_tag = unique_tag("R")
    api.create_tag(id_tag)
    expiry = iso(utc_now() + dt.timedelta(days=3))
    response = api.put(tag_path(id_tag), json={"status": "Blocked", "expiryDate": expiry, "parentIdTag": parent})
    assert response.status_code == 200, response.text
    tag = api.get(tag_path(id_tag)).json()
    assert tag["status"] == "Blocked"
    assert abs((parse_ts(tag["expiryDate"]) - parse_ts(expiry)).total_seconds()) < 1
    assert tag["parentIdTag"].lower() == parent.lower()

    response = api.put(tag_path(id_tag.upper()), json={"status": "Accepted"})
    assert response.status_code == 200, response.text
    tag = api.get(tag_path(id_tag)).json()
    assert tag["status"] == "Accepted"
    assert tag.get("expiryDate") is None, "PUT replaces: an omitted expiryDate is cleared"
    assert tag.get("parentIdTag") is None, "PUT replaces: an omitted parentIdTag is cleared"


def test_put_with_bad_status_is_400(api):
    id_tag = unique_tag("B")
    api.create_tag(id_tag)
    response = api.put(tag_path(id_tag), json={"status": "Sometimes"})
    assert response.status_code == 400, response.text
    assert_error_body(response)
    assert api.get(tag_path(id_tag)).json()["status"] == "Accepted"


def test_delete_is_204_then_404(api):
    id_tag = unique_tag("D")
    api.create_tag(id_tag)
    response = api.delete(tag_path(id_tag.upper()))
    assert response.status_code == 204, response.text
    assert api.get(tag_path(id_tag)).status_code == 404
    assert api.delete(tag_path(id_tag)).status_code == 404
    # and the id can be created again
    api.create_tag(id_tag)


@pytest.mark.parametrize(
    "body",
    [
        {"status": "Accepted"},
        {"idTag": "", "status": "Accepted"},
        {"idTag": "X" * 21, "status": "Accepted"},
        {"idTag": "OK-STATUS-1", "status": "Allowed"},
        {"idTag": "OK-STATUS-2", "status": "accepted"},
        {"idTag": 12345, "status": "Accepted"},
        {"idTag": "OK-EXPIRY-1", "status": "Accepted", "expiryDate": "next tuesday"},
    ],
    ids=["missing-idTag", "empty-idTag", "idTag-21-chars", "unknown-status", "status-case", "idTag-number", "bad-expiry"],
)
def test_bad_tag_input_is_400(api, body):
    response = api.post("/tags", json=body)
    assert response.status_code == 400, response.text
    assert_error_body(response)
    if isinstance(body.get("idTag"), str) and body["idTag"]:
        assert api.get(tag_path(body["idTag"])).status_code in (404, 400), "a refused tag was stored"


def test_body_that_is_not_json_is_400(api):
    response = api.post("/tags", data="{idTag: nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert_error_body(response)


def test_tag_of_20_characters_is_fine(api):
    id_tag = unique_tag("T").ljust(20, "0")
    assert len(id_tag) == 20
    api.create_tag(id_tag)


def test_tag_list_items_total_pagination(api):
    created = [unique_tag("L") for _ in range(5)]
    for id_tag in created:
        api.create_tag(id_tag, "Accepted")
    body = api.get("/tags", params={"limit": 1000}).json()
    items = list_items(body)
    assert body["total"] == len(items)
    listed = [t["idTag"] for t in items]
    assert set(created) <= set(listed)
    for item in items:
        assert isinstance(item["idTag"], str) and item["status"] in STATUSES, item
    page = api.get("/tags", params={"limit": 3, "offset": 1}).json()
    assert page["total"] == body["total"]
    assert [t["idTag"] for t in list_items(page)] == listed[1:4]


# -- Authorize ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
def test_authorize_answers_the_stored_status(ws_base, api, status):
    id_tag = unique_tag("A")
    api.create_tag(id_tag, status)

    async def scenario():
        async with charge_point(ws_base, unique_id("AUTHZ")) as cp:
            result = await cp.authorize(id_tag)
            assert result.id_tag_info["status"] == status

    run(scenario())


def test_authorize_unknown_tag_is_invalid(ws_base):
    async def scenario():
        async with charge_point(ws_base, unique_id("AUTHZ")) as cp:
            result = await cp.authorize(unique_tag("UNKNOWN"))
            assert result.id_tag_info["status"] == "Invalid"

    run(scenario())


def test_authorize_is_case_insensitive(ws_base, api):
    id_tag = unique_tag("case")
    api.create_tag(id_tag.lower(), "Accepted")

    async def scenario():
        async with charge_point(ws_base, unique_id("AUTHZ")) as cp:
            for variant in (id_tag.upper(), _mixed_case(id_tag), id_tag.lower()):
                result = await cp.authorize(variant)
                assert result.id_tag_info["status"] == "Accepted", variant

    run(scenario())


def test_expiry_date_in_the_past_answers_expired(ws_base, api):
    past = unique_tag("PAST")
    api.create_tag(past, "Accepted", expiryDate=iso(utc_now() - dt.timedelta(minutes=5)))
    future = unique_tag("FUT")
    future_expiry = iso(utc_now() + dt.timedelta(days=7))
    api.create_tag(future, "Accepted", expiryDate=future_expiry)
    blocked_past = unique_tag("BPAST")
    api.create_tag(blocked_past, "Blocked", expiryDate=iso(utc_now() - dt.timedelta(days=1)))

    async def scenario():
        async with charge_point(ws_base, unique_id("AUTHZ")) as cp:
            result = await cp.authorize(past)
            assert result.id_tag_info["status"] == "Expired"
            result = await cp.authorize(future)
            assert result.id_tag_info["status"] == "Accepted"
            if result.id_tag_info.get("expiry_date") is not None:
                assert abs((parse_ts(result.id_tag_info["expiry_date"]) - parse_ts(future_expiry)).total_seconds()) < 1
            result = await cp.authorize(blocked_past)
            assert result.id_tag_info["status"] in ("Expired", "Blocked")

    run(scenario())


def test_expiry_applies_to_start_transaction(ws_base, api):
    id_tag = unique_tag("EXP")
    api.create_tag(id_tag, "Accepted", expiryDate=iso(utc_now() - dt.timedelta(seconds=30)))

    async def scenario():
        async with charge_point(ws_base, unique_id("AUTHZ")) as cp:
            start = await cp.start_tx(1, id_tag, 0)
            assert start.id_tag_info["status"] == "Expired"
            assert isinstance(start.transaction_id, int)

    run(scenario())


def test_parent_id_tag_in_answer(ws_base, api):
    parent = unique_tag("PAR")
    api.create_tag(parent)
    child = unique_tag("KID")
    api.create_tag(child, "Accepted", parentIdTag=parent)

    async def scenario():
        async with charge_point(ws_base, unique_id("AUTHZ")) as cp:
            result = await cp.authorize(child)
            assert result.id_tag_info["status"] == "Accepted"
            if "parent_id_tag" in result.id_tag_info:
                assert result.id_tag_info["parent_id_tag"].lower() == parent.lower()

    run(scenario())


def test_tag_changes_apply_at_once(ws_base, api):
    id_tag = unique_tag("CHG")
    api.create_tag(id_tag, "Accepted")

    async def scenario():
        async with charge_point(ws_base, unique_id("AUTHZ")) as cp:
            assert (await cp.authorize(id_tag)).id_tag_info["status"] == "Accepted"
            response = await asyncio.to_thread(api.put, tag_path(id_tag), json={"status": "Blocked"})
            assert response.status_code == 200
            assert (await cp.authorize(id_tag)).id_tag_info["status"] == "Blocked"
            response = await asyncio.to_thread(api.delete, tag_path(id_tag))
            assert response.status_code == 204
            assert (await cp.authorize(id_tag)).id_tag_info["status"] == "Invalid"

    run(scenario())


# -- StartTransaction ----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["Accepted", "Blocked", "Expired", "Invalid", "unknown"])
def test_start_transaction_always_records(ws_base, api, status):
    id_tag = unique_tag("ST")
    if status != "unknown":
        api.create_tag(id_tag, status)
    cp_id = unique_id("START")
    expected = "Invalid" if status == "unknown" else status

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            start = await cp.start_tx(1, id_tag, 500)
            assert start.id_tag_info["status"] == expected
            assert isinstance(start.transaction_id, int) and start.transaction_id > 0
            return start.transaction_id

    tx_id = run(scenario())
    tx = api.transaction(tx_id)
    assert tx["chargingStationId"] == cp_id
    assert tx["idTag"].lower() == id_tag.lower()
    assert tx["meterStart"] == 500


def test_start_transaction_is_case_insensitive(ws_base, api):
    id_tag = unique_tag("scase")
    api.create_tag(id_tag.lower(), "Accepted")

    async def scenario():
        async with charge_point(ws_base, unique_id("START")) as cp:
            start = await cp.start_tx(1, id_tag.upper(), 0)
            assert start.id_tag_info["status"] == "Accepted"

    run(scenario())


def test_concurrent_tx_on_another_station_while_authorize_stays_accepted(ws_base, api):
    id_tag = unique_tag("CC")
    api.create_tag(id_tag, "Accepted")
    first_id, second_id = unique_id("CCA"), unique_id("CCB")

    async def scenario():
        first = await open_charge_point(ws_base, first_id)
        second = await open_charge_point(ws_base, second_id)
        try:
            start = await first.cp.start_tx(1, id_tag, 0)
            assert start.id_tag_info["status"] == "Accepted"
            tx_a = start.transaction_id

            assert (await second.cp.authorize(id_tag)).id_tag_info["status"] == "Accepted"
            assert (await first.cp.authorize(id_tag.upper())).id_tag_info["status"] == "Accepted"

            again = await second.cp.start_tx(1, id_tag.upper(), 10)
            assert again.id_tag_info["status"] == "ConcurrentTx"
            assert isinstance(again.transaction_id, int) and again.transaction_id not in (0, tx_a)
            tx_b = again.transaction_id

            # the ConcurrentTx transaction was recorded as well
            tx = await asyncio.to_thread(api.transaction, tx_b)
            assert tx["chargingStationId"] == second_id

            await second.cp.stop_tx(tx_b, 20, reason="DeAuthorized")
            await first.cp.stop_tx(tx_a, 1000)
            # no active transaction any more: Accepted again
            later = await second.cp.start_tx(2, id_tag, 30)
            assert later.id_tag_info["status"] == "Accepted"
            await second.cp.stop_tx(later.transaction_id, 40)
        finally:
            await first.close()
            await second.close()

    run(scenario())


def test_concurrent_tx_on_another_connector_of_the_same_station(ws_base, api):
    id_tag = unique_tag("CC2")
    api.create_tag(id_tag, "Accepted")

    async def scenario():
        async with charge_point(ws_base, unique_id("CCC")) as cp:
            first = await cp.start_tx(1, id_tag, 0)
            assert first.id_tag_info["status"] == "Accepted"
            second = await cp.start_tx(2, id_tag, 0, timestamp=iso(utc_now() + dt.timedelta(seconds=1)))
            assert second.id_tag_info["status"] == "ConcurrentTx"
            assert second.transaction_id != first.transaction_id

    run(scenario())


def test_stop_transaction_answer_reflects_the_tag(ws_base, api):
    id_tag = unique_tag("SA")
    api.create_tag(id_tag, "Accepted")

    async def scenario():
        async with charge_point(ws_base, unique_id("STOP")) as cp:
            start = await cp.start_tx(1, id_tag, 0)
            response = await asyncio.to_thread(api.put, tag_path(id_tag), json={"status": "Blocked"})
            assert response.status_code == 200
            stop = await cp.stop_tx(start.transaction_id, 100, id_tag=id_tag)
            if stop.id_tag_info is not None:
                assert stop.id_tag_info["status"] == "Blocked"

    run(scenario())


def test_tag_with_reserved_url_characters_round_trips(ws_base, api):
    """The {idTag} path segment is percent-decoded like the station id."""
    id_tag = f"A B+C%{unique_tag('')[:6]}#?"
    assert len(id_tag) <= 20
    api.create_tag(id_tag, "Blocked")
    got = api.get(tag_path(id_tag))
    assert got.status_code == 200, got.text
    assert got.json()["idTag"] == id_tag

    async def scenario():
        async with charge_point(ws_base, unique_id("AUTHZ")) as cp:
            assert (await cp.authorize(id_tag.lower())).id_tag_info["status"] == "Blocked"

    run(scenario())
    assert api.delete(tag_path(id_tag)).status_code == 204
