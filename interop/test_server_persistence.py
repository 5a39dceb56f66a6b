"""Storage across restarts and hard kills, graceful shutdown, and the
configuration through environment variables (CONTRACT.md: command line,
durability)."""

import asyncio
import contextlib
import datetime as dt
import signal
import sqlite3
import time
import urllib.parse

import pytest
import requests

from support import (
    ENERGY,
    Api,
    RawClient,
    TcpProxy,
    assert_callerror,
    charge_point,
    close_code,
    database_argument,
    free_port,
    iso,
    metric_value,
    open_charge_point,
    parse_ts,
    poll,
    postgres_only,
    raw_client,
    run,
    same_moment,
    sampled_number,
    sqlite_only,
    station_path,
    tag_path,
    unique_id,
    unique_tag,
    upgrade_status,
    utc_now,
    ws_open,
)

PASSWORD = "persist-Passw0rd-123456"


def test_restart_keeps_stations_tags_transactions_and_meter_values(server_factory):
    proc = server_factory()
    api = proc.api()
    parent, tag, blocked = unique_tag("PAR"), unique_tag("KEEP"), unique_tag("BLK")
    expiry = iso(utc_now() + dt.timedelta(days=9))
    api.create_tag(parent)
    api.create_tag(tag, "Accepted", expiryDate=expiry, parentIdTag=parent)
    api.create_tag(blocked, "Blocked")
    cp_id, locked, pending = unique_id("KEEP"), unique_id("LOCK"), unique_id("PEND")
    api.create_station(locked, password=PASSWORD)
    api.create_station(pending)
    assert api.put(station_path(pending), json={"registrationStatus": "Pending"}).status_code == 200
    t0 = utc_now() - dt.timedelta(minutes=30)
    active_start = iso(t0 + dt.timedelta(minutes=20))

    async def before():
        async with charge_point(proc.ws_url, cp_id, boot=False) as cp:
            await cp.boot(vendor="KeepCo", model="K-1", charge_point_serial_number="SN-K", firmware_version="9.9")
            await cp.status(1, "Charging")
            await cp.status(2, "Faulted", "GroundFailure")
            done = (await cp.start_tx(1, tag, 100, timestamp=iso(t0))).transaction_id
            await cp.meter_values(1, done, [(iso(t0 + dt.timedelta(minutes=1)), [(ENERGY, 150, "Wh"), ("SoC", 40, "Percent")])])
            await cp.stop_tx(done, 900, reason="EVDisconnected", timestamp=iso(t0 + dt.timedelta(minutes=10)))
            active = (await cp.start_tx(2, tag, 1000, timestamp=active_start)).transaction_id
            await cp.meter_values(2, active, [(iso(t0 + dt.timedelta(minutes=21)), [(ENERGY, 1100, "Wh")])])
            return done, active

    done, active = run(before())
    old_token = api.token
    snapshot = {
        "station": api.station(cp_id),
        "done": api.transaction(done),
        "active": api.transaction(active),
        "mv_done": api.meter_values(done),
        "mv_active": api.meter_values(active),
        "tags": {t: api.get(tag_path(t)).json() for t in (parent, tag, blocked)},
    }

    proc.restart()
    api = Api(proc.base_url, token=old_token)
    assert api.get("/charging-stations").status_code == 200, "a token from before the restart no longer works"
    api.signin()

    station = api.station(cp_id)
    assert station["connected"] is False, "nobody is connected right after a restart"
    for key in ("vendor", "model", "serialNumber", "firmwareVersion", "ocppVersion", "registrationStatus"):
        assert station[key] == snapshot["station"][key], key
    def connectors(view):
        return {c["connectorId"]: (c["status"], c["errorCode"], parse_ts(c["updatedAt"])) for c in view["connectors"]}

    assert connectors(station) == connectors(snapshot["station"])
    assert connectors(station)[2][:2] == ("Faulted", "GroundFailure")
    assert api.station(pending)["registrationStatus"] == "Pending"
    for t, body in snapshot["tags"].items():
        assert api.get(tag_path(t)).json() == body
    assert api.transaction(done) == snapshot["done"]
    assert api.transaction(active) == snapshot["active"]
    assert api.meter_values(done) == snapshot["mv_done"]
    assert api.meter_values(active) == snapshot["mv_active"]
    assert {t["id"] for t in api.transactions_of(cp_id, active="true")} == {active}

    async def after():
        async with charge_point(proc.ws_url, cp_id) as cp:
            # the rules still hold: the tag is busy, a resend is recognised
            assert (await cp.start_tx(1, tag, 5000)).id_tag_info["status"] == "ConcurrentTx"
            again = await cp.start_tx(2, tag, 1000, timestamp=active_start)
            assert again.transaction_id == active, "a resend after the restart created a new transaction"
            fresh = (await cp.start_tx(3, unique_tag(), 0)).transaction_id
            assert fresh not in (done, active), "transaction ids were reused after a restart"
            assert (await cp.authorize(blocked.lower())).id_tag_info["status"] == "Blocked"
        async with charge_point(proc.ws_url, locked, auth=(locked, PASSWORD)) as cp:
            await cp.heartbeat()
        ws = await ws_open(proc.ws_url, pending)
        try:
            reply = await RawClient(ws).call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
            assert reply[2]["status"] == "Pending"
        finally:
            await ws.close()

    run(after())

    async def refused():
        from support import upgrade_status

        assert await upgrade_status(proc.ws_url, locked) == 401

    run(refused())


def test_sigkill_after_each_answer_loses_nothing(server_factory):
    proc = server_factory()
    api = proc.api()
    cp_id, tag = unique_id("KILL"), unique_tag("KILL")
    t0 = utc_now() - dt.timedelta(minutes=10)

    async def boot_and_start():
        session = await open_charge_point(proc.ws_url, cp_id, boot=False)
        await session.cp.boot(vendor="KillCo", model="K-9")
        await session.cp.status(1, "Preparing")
        start = await session.cp.start_tx(1, tag, 2000, timestamp=iso(t0))
        proc.kill()  # at once, with the answer just received
        await session.close()
        return start.transaction_id

    tx_id = run(boot_and_start())
    proc.start()
    api = proc.api()
    station = api.station(cp_id)
    assert station["vendor"] == "KillCo"
    assert {c["connectorId"]: c["status"] for c in station["connectors"]} == {1: "Preparing"}
    tx = api.transaction(tx_id)
    assert (tx["meterStart"], tx["idTag"], tx["stoppedAt"]) == (2000, tag, None)
    assert same_moment(tx["startedAt"], iso(t0))

    async def meter():
        session = await open_charge_point(proc.ws_url, cp_id)
        await session.cp.meter_values(1, tx_id, [(iso(t0 + dt.timedelta(minutes=1)), [(ENERGY, 2500, "Wh")])])
        proc.kill()
        await session.close()

    run(meter())
    proc.start()
    api = proc.api()
    assert [sampled_number(i) for i in api.meter_values(tx_id)] == [2500]

    async def stop():
        session = await open_charge_point(proc.ws_url, cp_id)
        await session.cp.stop_tx(tx_id, 3000, reason="Local", timestamp=iso(t0 + dt.timedelta(minutes=2)))
        proc.kill()
        await session.close()

    run(stop())
    proc.start()
    api = proc.api()
    tx = api.transaction(tx_id)
    assert (tx["meterStop"], tx["energyWh"], tx["stopReason"]) == (3000, 1000, "Local")
    assert same_moment(tx["stoppedAt"], iso(t0 + dt.timedelta(minutes=2)))

    async def resend_after_crash():
        async with charge_point(proc.ws_url, cp_id) as cp:
            # the charge point never saw an answer and resends: same transaction
            again = await cp.start_tx(1, tag, 2000, timestamp=iso(t0))
            assert again.transaction_id == tx_id
            assert await cp.stop_tx(tx_id, 3000, reason="Local", timestamp=iso(t0 + dt.timedelta(minutes=2))) is not None

    run(resend_after_crash())
    assert len(api.transactions_of(cp_id)) == 1
    assert api.transaction(tx_id)["meterStop"] == 3000


def test_sigkill_after_rest_writes_loses_nothing(server_factory):
    proc = server_factory()
    api = proc.api()
    tag, cp_id = unique_tag("REST"), unique_id("REST")
    api.create_tag(tag, "Blocked")
    api.create_station(cp_id, password=PASSWORD)
    proc.kill()
    proc.start()
    api = proc.api()
    assert api.get(tag_path(tag)).json()["status"] == "Blocked"
    assert api.station(cp_id)["id"] == cp_id

    async def auth():
        from support import upgrade_status

        assert await upgrade_status(proc.ws_url, cp_id) == 401
        assert await upgrade_status(proc.ws_url, cp_id, auth=(cp_id, PASSWORD)) == 101

    run(auth())


def test_sigkill_after_a_burst_of_meter_values(server_factory):
    proc = server_factory()
    ids = [unique_id("BURST") for _ in range(5)]
    t0 = utc_now() - dt.timedelta(hours=1)

    async def one(cp_id):
        session = await open_charge_point(proc.ws_url, cp_id)
        tx = (await session.cp.start_tx(1, unique_tag(), 0, timestamp=iso(t0))).transaction_id
        for m in range(10):
            await session.cp.meter_values(1, tx, [(iso(t0 + dt.timedelta(minutes=m + 1)), [(ENERGY, m, "Wh"), ("Power.Active.Import", m, "W")])])
        return session, tx

    async def scenario():
        results = await asyncio.gather(*(one(cp_id) for cp_id in ids))
        proc.kill()
        for session, _ in results:
            await session.close()
        return [tx for _, tx in results]

    txs = run(scenario())
    proc.start()
    api = proc.api()
    for tx in txs:
        assert len(api.meter_values(tx)) == 20, f"transaction {tx} lost meter values in the kill"


def test_sigterm_closes_sockets_with_1001_and_exits_cleanly(server_factory):
    proc = server_factory()

    async def scenario():
        ws = await ws_open(proc.ws_url, unique_id("TERM"))
        await RawClient(ws).boot()
        stopping = asyncio.create_task(asyncio.to_thread(proc.stop, 20))
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.wait_closed(), 20)
        code = close_code(ws)
        returncode = await stopping
        return code, returncode

    code, returncode = run(scenario())
    assert code == 1001, f"sockets closed with {code} on shutdown"
    assert returncode == 0, f"graceful shutdown exited with {returncode}"


def test_sigint_shuts_down_too(server_factory):
    proc = server_factory()
    process = proc.proc
    process.send_signal(signal.SIGINT)
    process.wait(20)
    assert process.returncode == 0
    proc.stop()


@sqlite_only
def test_database_file_is_sqlite_with_wal(server_factory, tmp_path):
    db = tmp_path / "wal-check.sqlite"
    proc = server_factory(database=db)
    proc.api()
    assert db.exists()
    proc.stop()
    with contextlib.closing(sqlite3.connect(str(db))) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"


# -- configuration through the environment ----------------------------------------------------


@sqlite_only
def test_options_from_environment_variables(server_factory, tmp_path):
    port = free_port()
    db = tmp_path / "from-env.sqlite"
    proc = server_factory(
        env={
            "AMPERE_HOST": "127.0.0.1",
            "AMPERE_PORT": str(port),
            "AMPERE_DATABASE": str(db),
            "AMPERE_HEARTBEAT_INTERVAL": "17",
        },
        standard_args=False,
        start=False,
    )
    proc.start(port=port)
    assert db.exists(), "AMPERE_DATABASE was not used"

    async def scenario():
        async with charge_point(proc.ws_url, unique_id("ENV"), boot=False) as cp:
            assert (await cp.boot()).interval == 17

    run(scenario())


@sqlite_only
def test_default_database_is_ampere_sqlite_in_the_working_directory(server_factory, tmp_path):
    port = free_port()
    proc = server_factory(env={"AMPERE_PORT": str(port)}, standard_args=False, start=False)
    proc.start(port=port)
    proc.api()
    assert (tmp_path / "ampere.sqlite").exists()


@postgres_only
def test_postgres_url_from_environment_and_its_password_never_logged(server_factory, tmp_path):
    # The throwaway test server trusts loopback: the password is accepted and ignored, and must not be logged.
    parts = urllib.parse.urlsplit(database_argument(tmp_path / "from-env.sqlite"))
    url = urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}:Never-Log-Me-42@{parts.hostname}:{parts.port}"))
    port = free_port()
    proc = server_factory(
        "--log-level", "debug",
        env={"AMPERE_HOST": "127.0.0.1", "AMPERE_PORT": str(port), "AMPERE_DATABASE": url},
        standard_args=False,
        start=False,
    )
    proc.start(port=port)
    cp_id = unique_id("PGENV")

    async def scenario():
        async with charge_point(proc.ws_url, cp_id) as cp:
            await cp.heartbeat()

    run(scenario())
    assert proc.api().get(f"/api/v1/charging-stations/{cp_id}").json()["id"] == cp_id
    proc.stop()
    log = proc.log_text()
    assert "Never-Log-Me-42" not in log
    assert "postgres://" in log


class ProxiedDatabase:
    """A test server's PostgreSQL database reached through a `TcpProxy`, so that a
    test can take the database away from the server and bring it back."""

    def __init__(self, database_url: str):
        self._parts = urllib.parse.urlsplit(database_url)
        self._proxy = TcpProxy(self._parts.hostname, self._parts.port)
        netloc = f"{self._parts.username}@127.0.0.1:{self._proxy.port}"
        self.url = urllib.parse.urlunsplit(self._parts._replace(netloc=netloc))

    def go_away(self) -> None:
        self._proxy.stop()

    def come_back(self) -> None:
        self._proxy = TcpProxy(self._parts.hostname, self._parts.port, listen_port=self._proxy.port)


@pytest.fixture
def proxied_database(tmp_path):
    database = ProxiedDatabase(database_argument(tmp_path / "proxied.sqlite"))
    yield database
    database.go_away()


@postgres_only
def test_a_database_gone_away_gives_clear_errors_and_does_not_hold_up_shutdown(server_factory, proxied_database):
    # The pool keeps trying to reconnect and would keep every caller waiting with it: a station's
    # call, a REST request, and the shutdown behind them (which once waited past any SIGTERM).
    proc = server_factory(database=proxied_database.url)
    api = proc.api()
    cp_id, tag = unique_id("GONE"), unique_tag("GONE")
    api.create_tag(tag)

    async def scenario():
        async with raw_client(proc.ws_url, cp_id) as client:
            proxied_database.go_away()
            # Answered without the database: the socket and the node carry on.
            beat = await client.call("Heartbeat", {}, timeout=5)
            assert beat[0] == 3, beat
            started = time.monotonic()
            reply = await client.call(
                "StartTransaction",
                {"connectorId": 1, "idTag": tag, "meterStart": 0, "timestamp": iso()},
                timeout=30,
            )
            return reply, time.monotonic() - started

    reply, waited = run(scenario())
    assert_callerror(reply, [reply[1]], ["InternalError"])
    assert waited < 15, f"StartTransaction answered after {waited:.1f} s"

    started = time.monotonic()
    response = api.post("/tags", json={"idTag": unique_tag("LATE"), "status": "Accepted"})
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "unavailable"
    assert response.headers.get("Retry-After") == "5"
    assert time.monotonic() - started < 15

    # A charge point connecting anew is turned away with 503, and tries again later.
    started = time.monotonic()
    assert run(upgrade_status(proc.ws_url, unique_id("LATE"), open_timeout=30)) == 503
    assert time.monotonic() - started < 15

    # What an operator's alert would watch; /metrics itself needs no database.
    metrics = requests.get(proc.base_url + "/metrics", timeout=10).text
    assert (metric_value(metrics, "ampere_storage_unavailable_total") or 0) >= 2, metrics
    assert (metric_value(metrics, 'ampere_storage_failed_writes_total{writer="data"}') or 0) >= 1, metrics

    started = time.monotonic()
    code = proc.stop(grace=60)
    stopped = time.monotonic() - started
    assert stopped < 25, f"SIGTERM took {stopped:.1f} s\n{proc.log_tail(60)}"
    assert code == 0, proc.log_tail()


@postgres_only
def test_a_database_back_after_going_away_is_used_again(server_factory, proxied_database):
    proc = server_factory(database=proxied_database.url)
    api = proc.api()
    tag = unique_tag("BACK")
    api.create_tag(tag)
    proxied_database.go_away()
    refused = api.post("/tags", json={"idTag": unique_tag("GONE"), "status": "Accepted"})
    assert refused.status_code == 503, refused.text

    proxied_database.come_back()
    late = unique_tag("LATE")
    poll(
        lambda: api.post("/tags", json={"idTag": late, "status": "Accepted"}).status_code,
        lambda status: status in (201, 409), timeout=30, what="a REST write once the database is back",
    )
    assert api.get(tag_path(late)).status_code == 200
    cp_id = unique_id("BACK")

    async def scenario():
        async with raw_client(proc.ws_url, cp_id) as client:
            reply = await client.call(
                "StartTransaction", {"connectorId": 1, "idTag": tag, "meterStart": 0, "timestamp": iso()}, timeout=15
            )
            assert reply[0] == 3 and reply[2]["idTagInfo"]["status"] == "Accepted", reply
            return reply[2]["transactionId"]

    tx_id = run(scenario())
    assert api.transaction(tx_id)["chargingStationId"] == cp_id


@postgres_only
def test_a_routed_command_with_the_database_gone_gets_503(server_factory, proxied_database):
    # Two nodes on the proxied database; the station is held by the second, the command goes to the first.
    first = server_factory(database=proxied_database.url)
    second = server_factory(database=proxied_database.url)
    api = first.api()
    cp_id = unique_id("ROUTED")

    async def post(body):
        return await asyncio.to_thread(api.post, f"{station_path(cp_id)}/remote-start", json=body)

    async def scenario():
        async with charge_point(second.ws_url, cp_id):
            routed = {"connectorId": 1, "idTag": unique_tag()}
            deadline = time.monotonic() + 15
            # The first node learns where the station is from the database's notifications.
            while (response := await post(routed)).status_code == 409 and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            assert response.status_code == 200, response.text
            proxied_database.go_away()
            started = time.monotonic()
            response = await post(routed)
            return response, time.monotonic() - started

    response, waited = run(scenario())
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "unavailable"
    assert waited < 15, f"answered after {waited:.1f} s"


def test_retention_and_ping_options_are_accepted(server_factory):
    proc = server_factory("--message-log-retention-days", "1", "--ping-interval", "30", "--call-timeout", "10")
    api = proc.api()
    cp_id = unique_id("OPT")

    async def scenario():
        async with charge_point(proc.ws_url, cp_id) as cp:
            await cp.heartbeat()

    run(scenario())
    api.wait_messages(cp_id, lambda items: any(i.get("action") == "Heartbeat" for i in items))
