"""The OCPP endpoint's upgrade: URL, subprotocols, ids, replacement, Basic
auth and the registration modes (CONTRACT.md, "OCPP endpoint")."""

import asyncio
import contextlib
import json
import urllib.parse

import pytest
from websockets.exceptions import ConnectionClosed, InvalidMessage, InvalidStatus

from support import (
    RawClient,
    charge_point,
    close_code,
    open_charge_point,
    run,
    station_path,
    unique_id,
    upgrade_status,
    ws_open,
)

BOOT = {"chargePointVendor": "AcmeCharge", "chargePointModel": "AC-22"}
PASSWORD = "s3cret-Passw0rd-0123456"


# -- subprotocols ---------------------------------------------------------------


def test_ocpp16_is_negotiated(ws_base):
    async def scenario():
        ws = await ws_open(ws_base, unique_id("HS"), subprotocols=["ocpp1.6"])
        try:
            assert ws.subprotocol == "ocpp1.6"
            assert ws.response.status_code == 101
            assert ws.response.headers.get("Sec-WebSocket-Protocol") == "ocpp1.6"
        finally:
            await ws.close()

    run(scenario())


@pytest.mark.parametrize(
    "offer",
    [["ocpp1.5", "ocpp1.6"], ["ocpp1.6", "ocpp1.5"], ["ocpp1.2", "ocpp1.6", "ocpp1.5", "soap"], ["x-custom", "ocpp1.6"]],
    ids=["1.5-first", "1.6-first", "among-four", "custom-first"],
)
def test_ocpp16_is_picked_from_several_offers(ws_base, offer):
    async def scenario():
        ws = await ws_open(ws_base, unique_id("HS"), subprotocols=offer)
        try:
            assert ws.subprotocol == "ocpp1.6"
            reply = await RawClient(ws).call("BootNotification", BOOT)
            assert reply[0] == 3 and reply[2]["status"] == "Accepted", reply
        finally:
            await ws.close()

    run(scenario())


def test_highest_common_version_is_picked(ws_base):
    """ocpp2.0.1 when the server supports it (offered alone it is accepted),
    else ocpp1.6 — whatever the order of the offer."""

    async def supports_201():
        try:
            ws = await ws_open(ws_base, unique_id("HS"), subprotocols=["ocpp2.0.1"])
        except (InvalidStatus, InvalidMessage):
            return False
        try:
            return ws.subprotocol == "ocpp2.0.1"
        finally:
            await ws.close()

    async def scenario():
        expected = "ocpp2.0.1" if await supports_201() else "ocpp1.6"
        for offer in (["ocpp1.6", "ocpp2.0.1"], ["ocpp2.0.1", "ocpp1.6"]):
            ws = await ws_open(ws_base, unique_id("HS"), subprotocols=offer)
            try:
                assert ws.subprotocol == expected, (offer, ws.subprotocol)
            finally:
                await ws.close()

    run(scenario())


@pytest.mark.parametrize("offer", [None, ["ocpp1.5"], ["ocpp1.6j", "OCPP1.6x"]], ids=["none", "only-1.5", "lookalikes"])
def test_no_supported_subprotocol_gets_no_ocpp_service(ws_base, offer):
    """Refuse the upgrade, or complete it without a subprotocol and close at
    once; never answer OCPP on such a connection."""

    async def scenario():
        try:
            ws = await ws_open(ws_base, unique_id("HS"), subprotocols=offer)
        except (InvalidStatus, InvalidMessage):
            return
        try:
            assert ws.subprotocol is None, f"server chose {ws.subprotocol!r}, which was not offered"
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps([2, "boot-1", "BootNotification", BOOT]))
            try:
                frame = await asyncio.wait_for(ws.recv(), 5)
            except ConnectionClosed:
                return
            except asyncio.TimeoutError:
                pytest.fail("connection without a subprotocol was neither refused nor closed")
            pytest.fail(f"server ran OCPP without a subprotocol; it sent {frame!r}")
        finally:
            await ws.close()

    run(scenario())


# -- charge point ids -------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 2, 47, 48])
def test_ids_of_1_to_48_characters_are_accepted(ws_base, api, length):
    cp_id = (unique_id("H")[: min(length, 10)]).ljust(length, "z")[:length]
    if length == 1:
        cp_id = unique_id("x")[-1]  # a single hex digit; may collide, still valid

    async def scenario():
        ws = await ws_open(ws_base, cp_id)
        try:
            assert ws.subprotocol == "ocpp1.6"
            reply = await RawClient(ws).call("BootNotification", BOOT)
            assert reply[0] == 3 and reply[2]["status"] == "Accepted", reply
            station = await asyncio.to_thread(api.station, cp_id)
            assert station["id"] == cp_id
        finally:
            await ws.close()

    run(scenario())


@pytest.mark.parametrize("length", [49, 64, 300])
def test_ids_longer_than_48_characters_get_400(ws_base, api, length):
    cp_id = unique_id("L").ljust(length, "L")

    async def scenario():
        return await upgrade_status(ws_base, cp_id)

    assert run(scenario()) == 400
    assert api.get(station_path(cp_id)).status_code in (400, 404), "a refused id must not be registered"


def test_empty_id_is_refused(ws_base):
    async def scenario():
        return await upgrade_status(ws_base, "", raw_path="/ocpp/")

    # 400 from the OCPP route, or 404 when no route matches an empty segment.
    assert run(scenario()) in (400, 404)


def test_id_is_percent_decoded(ws_base, api):
    """'AMP:…|' is 48 characters decoded, more encoded (%3A, %7C)."""
    cp_id = ("AMP:" + unique_id("HS") + "|").ljust(48, "y")
    raw_path = "/ocpp/" + urllib.parse.quote(cp_id, safe="")
    assert len(cp_id) == 48 and len(raw_path) - len("/ocpp/") > 48

    async def scenario():
        ws = await ws_open(ws_base, cp_id, raw_path=raw_path)
        try:
            assert ws.subprotocol == "ocpp1.6"
            reply = await RawClient(ws).call("BootNotification", BOOT)
            assert reply[0] == 3 and reply[2]["status"] == "Accepted", reply
        finally:
            await ws.close()

    run(scenario())
    station = api.station(cp_id)
    assert station["id"] == cp_id
    listed = api.get("/charging-stations", params={"limit": 1000}).json()["items"]
    assert cp_id in {s["id"] for s in listed}
    assert urllib.parse.quote(cp_id, safe="") not in {s["id"] for s in listed}


def test_percent_encoded_space_is_decoded(ws_base, api):
    cp_id = f"CP {unique_id('SP')}"

    async def scenario():
        async with charge_point(ws_base, cp_id):
            pass

    run(scenario())
    assert api.station(cp_id)["id"] == cp_id


def test_id_of_49_characters_after_decoding_gets_400(ws_base):
    cp_id = ("AMP:" + unique_id("HS")).ljust(49, "q")
    raw_path = "/ocpp/" + urllib.parse.quote(cp_id, safe="")

    async def scenario():
        return await upgrade_status(ws_base, cp_id, raw_path=raw_path)

    assert run(scenario()) == 400


def test_encoded_id_of_48_characters_decoded_is_not_judged_encoded(ws_base):
    """'%41' is 3 characters on the wire and 1 decoded: 16 × '%41' + 32 chars
    is 80 encoded characters, 48 decoded."""
    suffix = unique_id("E").ljust(32, "e")
    raw_path = "/ocpp/" + "%41" * 16 + suffix

    async def scenario():
        return await upgrade_status(ws_base, "", raw_path=raw_path)

    assert run(scenario()) == 101


# -- replacement ------------------------------------------------------------------


def test_second_connection_replaces_the_first(ws_base, api):
    cp_id = unique_id("REPL")

    async def scenario():
        first = await open_charge_point(ws_base, cp_id)
        try:
            second = await open_charge_point(ws_base, cp_id)
            try:
                assert await first.wait_closed(10), "the old connection was not closed"
                # The new connection goes on working, and REST calls reach it.
                assert (await second.cp.heartbeat()).current_time
                await asyncio.sleep(0.5)
                station = await asyncio.to_thread(api.station, cp_id)
                assert station["connected"] is True, "the old socket's close disconnected the new one"
                mark = second.cp.mark()
                response = await asyncio.to_thread(
                    api.post, f"{station_path(cp_id)}/calls/GetConfiguration", json={"key": ["AcceptanceReadOnly"]}
                )
                assert response.status_code == 200, response.text
                await second.cp.wait_received("GetConfiguration", since=mark)
                assert not first.cp.received, "a REST call went to the replaced connection"
            finally:
                await second.close()
        finally:
            await first.close()

    run(scenario())


def test_replaced_connection_close_frame(ws_base):
    """The old socket is closed by the server (a close frame, not left open)."""
    cp_id = unique_id("REPL")

    async def scenario():
        first = await ws_open(ws_base, cp_id)
        await RawClient(first).boot()
        second = await ws_open(ws_base, cp_id)
        try:
            await asyncio.wait_for(first.wait_closed(), 10)
            assert close_code(first) is not None, "old socket dropped without a close frame"
            await RawClient(second).heartbeat_ok()
        finally:
            await second.close()
            await first.close()

    run(scenario())


def test_station_disconnected_after_close_and_lastseen(ws_base, api):
    cp_id = unique_id("DISC")

    async def scenario():
        async with charge_point(ws_base, cp_id):
            await asyncio.to_thread(api.wait_station, cp_id, lambda s: s["connected"] is True)

    run(scenario())
    station = api.wait_station(cp_id, lambda s: s["connected"] is False)
    assert station["vendor"] == "AcmeCharge"
    assert station["lastSeen"] is not None


# -- Basic auth (security profile 1) -----------------------------------------------


def test_station_with_password_needs_basic_auth(ws_base, api):
    cp_id = unique_id("AUTH")
    api.create_station(cp_id, password=PASSWORD)

    async def scenario():
        assert await upgrade_status(ws_base, cp_id) == 401, "no credentials"
        assert await upgrade_status(ws_base, cp_id, auth=(cp_id, PASSWORD + "x")) == 401, "wrong password"
        assert await upgrade_status(ws_base, cp_id, auth=(cp_id, "")) == 401, "empty password"
        assert await upgrade_status(ws_base, cp_id, auth=(cp_id + "X", PASSWORD)) == 401, "username != id"
        assert await upgrade_status(ws_base, cp_id, auth=(cp_id.lower() + "-other", PASSWORD)) == 401
        async with charge_point(ws_base, cp_id, auth=(cp_id, PASSWORD)) as cp:
            await cp.heartbeat()
            station = await asyncio.to_thread(api.station, cp_id)
            assert station["connected"] is True
            assert station["vendor"] == "AcmeCharge"

    run(scenario())


def test_401_refusal_is_plain_http(ws_base, api):
    """A refused upgrade never runs OCPP: the response is an HTTP 401 status."""
    cp_id = unique_id("AUTH")
    api.create_station(cp_id, password=PASSWORD)

    async def scenario():
        with pytest.raises(InvalidStatus) as refused:
            ws = await ws_open(ws_base, cp_id, auth=("someone-else", PASSWORD))
            await ws.close()
        assert refused.value.response.status_code == 401

    run(scenario())


def test_password_change_and_removal_through_the_api(ws_base, api):
    cp_id = unique_id("AUTH")
    api.create_station(cp_id, password=PASSWORD)
    new_password = "An0ther-Passw0rd-98765"
    response = api.put(station_path(cp_id), json={"password": new_password})
    assert response.status_code == 200, response.text

    async def with_new():
        assert await upgrade_status(ws_base, cp_id, auth=(cp_id, PASSWORD)) == 401
        assert await upgrade_status(ws_base, cp_id, auth=(cp_id, new_password)) == 101

    run(with_new())
    response = api.put(station_path(cp_id), json={"password": None})
    assert response.status_code == 200, response.text

    async def without():
        assert await upgrade_status(ws_base, cp_id) == 101

    run(without())


def test_station_without_password_connects_without_credentials(ws_base, api):
    cp_id = unique_id("NOPW")
    api.create_station(cp_id)

    async def scenario():
        async with charge_point(ws_base, cp_id) as cp:
            await cp.heartbeat()

    run(scenario())


def test_password_never_appears_in_the_station_view(api):
    cp_id = unique_id("AUTH")
    api.create_station(cp_id, password=PASSWORD)
    assert PASSWORD not in api.get(station_path(cp_id)).text
    assert PASSWORD not in api.get("/charging-stations", params={"limit": 1000}).text


# -- registration modes -------------------------------------------------------------


def test_open_registration_registers_unknown_station(ws_base, api):
    cp_id = unique_id("OPEN")
    assert api.get(station_path(cp_id)).status_code == 404

    async def scenario():
        async with charge_point(ws_base, cp_id):
            pass

    run(scenario())
    station = api.station(cp_id)
    assert station["registrationStatus"] == "Accepted"


def test_known_registration_refuses_unknown_ids_with_404(server_factory):
    proc = server_factory("--registration", "known")
    api = proc.api()
    unknown = unique_id("UNK")
    known = unique_id("KNOWN")
    api.create_station(known)

    async def scenario():
        assert await upgrade_status(proc.ws_url, unknown) == 404
        async with charge_point(proc.ws_url, known) as cp:
            await cp.heartbeat()

    run(scenario())
    assert api.get(station_path(unknown)).status_code == 404, "a refused station was registered"
    station = api.station(known)
    assert station["vendor"] == "AcmeCharge"
    assert station["registrationStatus"] == "Accepted"


def test_known_registration_with_password_and_deletion(server_factory):
    proc = server_factory("--registration", "known")
    api = proc.api()
    cp_id = unique_id("KNOWN")
    api.create_station(cp_id, password=PASSWORD)

    async def connected():
        assert await upgrade_status(proc.ws_url, cp_id) == 401
        assert await upgrade_status(proc.ws_url, cp_id, auth=(cp_id, PASSWORD)) == 101

    run(connected())
    response = api.delete(station_path(cp_id))
    assert response.status_code in (200, 204), response.text

    async def gone():
        assert await upgrade_status(proc.ws_url, cp_id, auth=(cp_id, PASSWORD)) == 404

    run(gone())


def test_registration_mode_from_environment(server_factory):
    proc = server_factory(env={"AMPERE_REGISTRATION": "known"})

    async def scenario():
        return await upgrade_status(proc.ws_url, unique_id("ENV"))

    assert run(scenario()) == 404


def test_unknown_path_is_not_an_ocpp_endpoint(ws_base):
    async def scenario():
        return await upgrade_status(ws_base, "", raw_path="/not-ocpp/" + unique_id("X"))

    assert run(scenario()) in (400, 404), "an upgrade outside /ocpp/{id} must be refused"


def test_basic_auth_username_is_the_decoded_id(ws_base, api):
    cp_id = f"CP 7 {unique_id('SP')}"
    api.create_station(cp_id, password=PASSWORD)

    async def scenario():
        encoded = urllib.parse.quote(cp_id, safe="")
        assert await upgrade_status(ws_base, cp_id, auth=(encoded, PASSWORD)) == 401
        assert await upgrade_status(ws_base, cp_id, auth=(cp_id, PASSWORD)) == 101

    run(scenario())
