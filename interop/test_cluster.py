"""A cluster: three `ampere serve` nodes on one PostgreSQL database, with
nginx from Debian in front of them (deploy/nginx/ampere-cluster.conf, the
configuration docs/DEPLOYMENT.md describes), and charge points of the Python
`ocpp` package connecting through nginx.

Needs AMPERE_BIN, AMPERE_TEST_POSTGRES_URL (a server where databases may be
created; the README's test command starts one) and nginx; skipped otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from support import (
    ENERGY,
    Api,
    ServerProcess,
    ampere_bin,
    free_port,
    iso,
    metric_value,
    open_charge_point,
    poll,
    raw_client,
    run,
    station_path,
    unique_id,
    unique_tag,
    utc_now,
)

SERVER_URL = os.environ.get("AMPERE_TEST_POSTGRES_URL", "").strip()
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "ampere-cluster.conf"
NODES = 3

# The README's test command sets AMPERE_REQUIRE_CLUSTER=1: there a missing part is a failure, not a skip.
if os.environ.get("AMPERE_REQUIRE_CLUSTER") == "1":
    assert SERVER_URL and NGINX, "the cluster test needs AMPERE_TEST_POSTGRES_URL and nginx"
pytestmark = [
    pytest.mark.skipif(not SERVER_URL, reason="AMPERE_TEST_POSTGRES_URL is not set: no PostgreSQL for a cluster"),
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed"),
]


def psql(sql: str) -> None:
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", SERVER_URL, "-c", sql], check=True, capture_output=True, timeout=60)


def database_url(name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(SERVER_URL)._replace(path="/" + name))


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


class Cluster:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.database = "cluster_" + uuid.uuid4().hex[:12]
        self.nodes: list[ServerProcess] = []
        self.nginx: subprocess.Popen | None = None
        self.nginx_port = free_port()

    def start(self) -> None:
        psql(f'CREATE DATABASE "{self.database}"')
        url = database_url(self.database)
        binary = ampere_bin()
        for index in range(NODES):
            node = ServerProcess(
                binary, self.workdir, url,
                ["--node-id", f"node_{index}", "--ping-interval", "5", "--log-level", "info"],
                name=f"node_{index}",
            )
            node.start()
            self.nodes.append(node)
        self.start_nginx()

    def start_nginx(self) -> None:
        prefix = self.workdir / "nginx"
        prefix.mkdir(exist_ok=True)
        upstreams = "\n        ".join(
            f"server 127.0.0.1:{node.port} max_fails=1 fail_timeout=10s;" for node in self.nodes
        )
        config = (
            TEMPLATE.read_text()
            .replace("@PREFIX@", str(prefix))
            .replace("@LISTEN@", f"127.0.0.1:{self.nginx_port}")
            .replace("@UPSTREAMS@", upstreams)
            .replace("@USER@", "user root;" if os.geteuid() == 0 else "")
        )
        path = prefix / "nginx.conf"
        path.write_text(config)
        log = open(prefix / "stdout.log", "wb")
        self.nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(path)], stdout=log, stderr=subprocess.STDOUT)
        wait_port(self.nginx_port)

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.nginx_port}"

    def api(self, index: int) -> Api:
        return self.nodes[index].api()

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.nginx.wait(10)
            if self.nginx.poll() is None:
                self.nginx.kill()
        for node in self.nodes:
            with contextlib.suppress(Exception):
                node.stop()
        with contextlib.suppress(Exception):
            psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture
def cluster(tmp_path):
    cluster = Cluster(tmp_path)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def node_metrics(cluster: "Cluster", index: int) -> str:
    response = urllib.request.urlopen(cluster.nodes[index].base_url + "/metrics", timeout=10)
    return response.read().decode()


def holders(api: Api, ids: list[str], timeout: float = 15) -> dict[str, str]:
    """The node holding each station, once every one shows connected."""
    result = {}
    for cp_id in ids:
        station = api.wait_station(cp_id, lambda s: s["connected"] is True and s.get("node"), timeout)
        result[cp_id] = station["node"]
    return result


async def connect_through(ws_base: str, cp_id: str, timeout: float = 30):
    """Connects (and boots) through nginx, retrying while the cluster settles."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await open_charge_point(ws_base, cp_id)
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)


def test_commands_reach_every_station_from_every_node(cluster):
    ids = [unique_id("CL") for _ in range(9)]
    answers: dict[tuple[int, str], dict] = {}
    held: dict[str, str] = {}

    async def scenario():
        sessions = [await connect_through(cluster.ws_base, cp_id) for cp_id in ids]
        try:
            held.update(await asyncio.to_thread(holders, cluster.api(0), ids))
            # nginx spreads the charge points over the nodes.
            assert len(set(held.values())) >= 2, held
            apis = [cluster.api(index) for index in range(NODES)]
            for index, api in enumerate(apis):
                for session in sessions:
                    tag = unique_tag()
                    mark = session.cp.mark()
                    response = await asyncio.to_thread(
                        api.post, f"{station_path(session.cp.id)}/remote-start", json={"connectorId": 1, "idTag": tag}
                    )
                    assert response.status_code == 200, (index, session.cp.id, response.status_code, response.text)
                    assert response.json() == {"status": "Accepted"}
                    received = await session.cp.wait_received(
                        "RemoteStartTransaction", since=mark, match=lambda p, tag=tag: p["id_tag"] == tag
                    )
                    answers[(index, session.cp.id)] = received
            # Any action, through any node: a CALLRESULT comes back as it is, a CALLERROR as 502.
            target = sessions[0].cp.id
            other = next(i for i in range(NODES) if f"node_{i}" != held[target])
            reply = await asyncio.to_thread(
                apis[other].post, f"{station_path(target)}/calls/GetConfiguration", json={"key": ["HeartbeatInterval"]}
            )
            assert reply.status_code == 200, reply.text
            assert reply.json()["configurationKey"][0]["key"] == "HeartbeatInterval"
            refused = await asyncio.to_thread(
                apis[other].post, f"{station_path(target)}/calls/GetDiagnostics", json={"location": "ftp://x/y"}
            )
            assert refused.status_code == 502, refused.text
            assert refused.json()["error"]["code"] == "call_error"
        finally:
            for session in sessions:
                await session.close()

    run(scenario(), timeout=120)
    assert len(answers) == NODES * len(ids)

    # Each node counted what it routed and what it ran for the others, and timed every step.
    target = ids[0]
    other = next(i for i in range(NODES) if f"node_{i}" != held[target])
    for index in range(NODES):
        name = f"node_{index}"
        routed = sum(1 for cp_id in ids if held[cp_id] != name) + (2 if index == other else 0)
        run_here = sum(NODES - 1 for cp_id in ids if held[cp_id] == name) + (2 if held[target] == name else 0)
        text = node_metrics(cluster, index)
        assert metric_value(text, "ampere_cluster_routed_calls_total") == routed, (name, text)
        assert metric_value(text, "ampere_cluster_routed_call_timeouts_total") == 0, (name, text)
        assert metric_value(text, "ampere_cluster_calls_run_for_others_total") == run_here, (name, text)
        for step, count in (("stored", routed), ("answered", routed), ("station", run_here), ("outcome_stored", run_here)):
            sample = f'ampere_cluster_routed_call_step_seconds_count{{step="{step}"}}'
            assert metric_value(text, sample) == count, (name, step, text)
        poll(lambda index=index: metric_value(node_metrics(cluster, index), "ampere_cluster_live_nodes"),
             lambda live: live == NODES, timeout=10, what=f"{name} counting {NODES} live nodes")
        assert metric_value(node_metrics(cluster, index), "ampere_cluster_resynchronizations_total") == 0

    # node_0 loses its listening connection: it listens again and counts it.
    psql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{cluster.database}' AND query LIKE 'LISTEN%ampere_node_node_0%'"
    )
    poll(lambda: metric_value(node_metrics(cluster, 0), "ampere_cluster_resynchronizations_total"),
         lambda count: count == 1, timeout=15, what="node_0 listening again")

    # A registered station that no node holds: 409 from every node.
    absent = unique_id("CL-ABSENT")
    cluster.api(0).create_station(absent)
    for index in range(NODES):
        response = cluster.api(index).post(f"{station_path(absent)}/remote-start", json={"idTag": unique_tag()})
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "not_connected"


def test_a_routed_command_the_station_never_answers_is_counted_as_the_stations_timeout(cluster):
    """The holder's call times out and its 504 travels back as the outcome: the station's
    timeout, counted where the call was sent, not a routing timeout on the origin."""
    cp_id = unique_id("CL-SILENT")
    timed_out = 'ampere_ocpp_calls_sent_total{action="ClearCache",outcome="timeout"}'
    routing = "ampere_cluster_routed_call_timeouts_total"

    async def scenario():
        async with raw_client(cluster.ws_base, cp_id, answer_calls=False):
            held = await asyncio.to_thread(holders, cluster.api(0), [cp_id])
            holder = int(held[cp_id].removeprefix("node_"))
            origin = next(i for i in range(NODES) if i != holder)
            before = {i: node_metrics(cluster, i) for i in (holder, origin)}
            response = await asyncio.to_thread(
                cluster.api(origin).post, f"{station_path(cp_id)}/calls/ClearCache", json={}, params={"timeout": 1}
            )
            assert response.status_code == 504, response.text
            assert response.json()["error"]["code"] == "timeout"
            after = {i: node_metrics(cluster, i) for i in (holder, origin)}
            assert (metric_value(after[holder], timed_out) or 0) == (metric_value(before[holder], timed_out) or 0) + 1
            assert metric_value(after[origin], routing) == metric_value(before[origin], routing) == 0
            assert metric_value(after[origin], timed_out) in (None, 0)

    run(scenario(), timeout=60)


def test_charge_points_connect_through_nginx_at_once_between_rest_calls(cluster):
    """nginx keeps the upstream connections of REST calls for reuse. A node upgrades only the
    first request of a connection, so an upgrade sent on a pooled one was refused (an empty 404
    then, 400 upgrade_not_first_request now) and the charge point had to try again later: after
    a failover with REST traffic, stations took some 40 s to come back. The configuration gives
    /ocpp/ an upstream without a pool; every charge point must get in on its first try."""
    base = f"http://127.0.0.1:{cluster.nginx_port}"

    def rest_calls(count: int) -> None:
        # Each on a connection of its own to nginx, so that both its workers pool upstream connections.
        for _ in range(count):
            with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
                assert response.status == 200

    async def scenario():
        for _ in range(12):
            await asyncio.to_thread(rest_calls, 4)
            session = await open_charge_point(cluster.ws_base, unique_id("CL-POOL"))
            await session.close()

    run(scenario(), timeout=90)


def test_a_station_that_moves_to_another_node_has_its_old_socket_closed(cluster):
    cp_id = unique_id("CL-MOVE")
    first_node, second_node = cluster.nodes[0], cluster.nodes[1]

    async def scenario():
        first = await open_charge_point(first_node.ws_url, cp_id)
        await asyncio.to_thread(cluster.api(2).wait_station, cp_id, lambda s: s.get("node") == "node_0")
        second = await open_charge_point(second_node.ws_url, cp_id)
        try:
            assert await first.wait_closed(15), "node_0 kept the stale socket open"
            station = await asyncio.to_thread(cluster.api(0).wait_station, cp_id, lambda s: s.get("node") == "node_1")
            assert station["connected"] is True
            # And commands sent to the old node reach the new socket.
            mark = second.cp.mark()
            response = await asyncio.to_thread(
                cluster.api(0).post, f"{station_path(cp_id)}/remote-start", json={"idTag": "MOVED"}
            )
            assert response.status_code == 200, response.text
            await second.cp.wait_received("RemoteStartTransaction", since=mark)
        finally:
            await first.close()
            await second.close()

    run(scenario(), timeout=60)


def test_a_killed_node_loses_nothing(cluster):
    """SIGKILL a node mid-session: its charge points reconnect through nginx to
    the others and resend what they had queued; every transaction exists once
    with every meter value, and a station that stays away shows disconnected
    once the dead node's lease runs out."""
    ids = [unique_id("CL-KILL") for _ in range(9)]
    t0 = utc_now() - dt.timedelta(minutes=30)
    tags = {cp_id: unique_tag() for cp_id in ids}

    def at(minutes: int) -> str:
        return iso(t0 + dt.timedelta(minutes=minutes))

    def sample(minutes: int, wh: int):
        return [(at(minutes), [(ENERGY, wh, "Wh")])]

    async def scenario():
        sessions = {cp_id: await connect_through(cluster.ws_base, cp_id) for cp_id in ids}
        held = await asyncio.to_thread(holders, cluster.api(0), ids)
        started = {}
        for cp_id, session in sessions.items():
            started[cp_id] = (await session.cp.start_tx(1, tags[cp_id], 0, timestamp=at(0))).transaction_id
            await session.cp.meter_values(1, started[cp_id], sample(1, 100))
            await session.cp.meter_values(1, started[cp_id], sample(2, 200))

        counts = {}
        for node in held.values():
            counts[node] = counts.get(node, 0) + 1
        victim_name = max(counts, key=counts.get)
        victim = next(n for n in cluster.nodes if n.name == victim_name)
        moved = [cp_id for cp_id, node in held.items() if node == victim_name]
        stayed = [cp_id for cp_id in ids if cp_id not in moved]
        # One of the victim's charge points stays away, to see its lease run out.
        away, moved = moved[0], moved[1:]
        victim.kill()
        for cp_id in [away, *moved]:
            assert await sessions[cp_id].wait_closed(15), f"{cp_id}'s socket outlived its node"
            await sessions[cp_id].close()

        # Offline, each moved charge point went on charging: values 3 and 4 wait in its queue.
        for cp_id in moved:
            session = await connect_through(cluster.ws_base, cp_id)
            sessions[cp_id] = session
            # It never saw the answer to its start: it sends the same start again and must get the same id.
            again = await session.cp.start_tx(1, tags[cp_id], 0, timestamp=at(0))
            assert again.transaction_id == started[cp_id], cp_id
            # The last value sent before the kill is resent too (its answer may have been lost).
            for minutes, wh in [(2, 200), (3, 300), (4, 400)]:
                await session.cp.meter_values(1, started[cp_id], sample(minutes, wh))
            await session.cp.stop_tx(started[cp_id], 500, timestamp=at(5))
        for cp_id in stayed:
            session = sessions[cp_id]
            for minutes, wh in [(3, 300), (4, 400)]:
                await session.cp.meter_values(1, started[cp_id], sample(minutes, wh))
            await session.cp.stop_tx(started[cp_id], 500, timestamp=at(5))

        survivor = next(i for i, n in enumerate(cluster.nodes) if n.name != victim_name)
        api = cluster.api(survivor)
        for cp_id in moved:
            station = await asyncio.to_thread(api.wait_station, cp_id, lambda s: s["connected"] is True)
            assert station["node"] not in (None, victim_name), station
        # The dead node's lease (10 s) runs out: the station that stayed away is disconnected.
        await asyncio.to_thread(api.wait_station, away, lambda s: s["connected"] is False, 30)
        for session in sessions.values():
            await session.close()
        return api, started, moved, stayed, away

    api, started, moved, stayed, away = run(scenario(), timeout=180)
    assert moved, "the victim held no station to move"
    for cp_id in moved + stayed:
        items = api.get("/transactions", params={"chargingStationId": cp_id}).json()["items"]
        assert [tx["id"] for tx in items] == [started[cp_id]], f"{cp_id}: {items}"
        assert items[0]["meterStop"] == 500
        values = api.meter_values(started[cp_id])
        energy = sorted(float(v["value"]) for v in values if v["measurand"] == ENERGY)
        assert energy == [100, 200, 300, 400], f"{cp_id}: {values}"
    # The one that stayed away keeps its open transaction with what it had sent.
    assert len(api.meter_values(started[away])) == 2
