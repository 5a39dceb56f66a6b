#!/usr/bin/env python3
"""A minimal OCPP 1.6J central system on the Python `ocpp` package.

The peer of `scripts/bench_peer.sh`: the same load scenarios run against it
and against Ampere, so that Ampere's figures stand beside those of the most
used OCPP library. It is written the way the ocpp package's documentation
shows its v16 central system (a ChargePoint subclass with @on handlers over a
`websockets` server) and does no more than that example plus the handlers the
scenarios need: it answers BootNotification, Heartbeat, StatusNotification,
MeterValues, Authorize, StartTransaction, StopTransaction and DataTransfer and
stores nothing. Payloads are validated against the OCPP JSON schemas, as the
package does by default.

    python peer_cs.py --host 127.0.0.1 --port 9000 [--heartbeat-interval 300]

Charge points connect to ws://HOST:PORT/ocpp/{id} (any path: the last path
segment is the id) with the subprotocol ocpp1.6.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import signal
from datetime import datetime, timezone

import websockets
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from ocpp.routing import on
from ocpp.v16 import ChargePoint as cp
from ocpp.v16 import call_result
from ocpp.v16.datatypes import IdTagInfo
from ocpp.v16.enums import Action, AuthorizationStatus, DataTransferStatus, RegistrationStatus

HEARTBEAT_INTERVAL = 300
# transactionIds handed out by StartTransaction, shared by every connection.
TRANSACTION_IDS = itertools.count(1)


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ChargePoint(cp):
    """One connected charge point; every handler answers at once, nothing is kept."""

    @on(Action.boot_notification)
    def on_boot_notification(self, charge_point_vendor: str, charge_point_model: str, **kwargs):
        return call_result.BootNotification(
            current_time=now(), interval=HEARTBEAT_INTERVAL, status=RegistrationStatus.accepted
        )

    @on(Action.heartbeat)
    def on_heartbeat(self, **kwargs):
        return call_result.Heartbeat(current_time=now())

    @on(Action.status_notification)
    def on_status_notification(self, connector_id: int, error_code: str, status: str, **kwargs):
        return call_result.StatusNotification()

    @on(Action.meter_values)
    def on_meter_values(self, connector_id: int, meter_value: list, **kwargs):
        return call_result.MeterValues()

    @on(Action.authorize)
    def on_authorize(self, id_tag: str, **kwargs):
        return call_result.Authorize(id_tag_info=IdTagInfo(status=AuthorizationStatus.accepted))

    @on(Action.start_transaction)
    def on_start_transaction(self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **kwargs):
        return call_result.StartTransaction(
            transaction_id=next(TRANSACTION_IDS),
            id_tag_info=IdTagInfo(status=AuthorizationStatus.accepted),
        )

    @on(Action.stop_transaction)
    def on_stop_transaction(self, meter_stop: int, timestamp: str, transaction_id: int, **kwargs):
        return call_result.StopTransaction(id_tag_info=IdTagInfo(status=AuthorizationStatus.accepted))

    @on(Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kwargs):
        return call_result.DataTransfer(status=DataTransferStatus.accepted)


async def on_connect(websocket: ServerConnection) -> None:
    """One WebSocket connection: check the subprotocol, then serve the charge point until it goes."""
    if websocket.subprotocol is None:
        # As in the package's example: a client that did not ask for ocpp1.6 is closed.
        await websocket.close(1002, "subprotocol ocpp1.6 required")
        return
    path = websocket.request.path.split("?", 1)[0]
    segments = [segment for segment in path.split("/") if segment]
    charge_point_id = segments[-1] if segments else "unknown"
    try:
        await ChargePoint(charge_point_id, websocket).start()
    except ConnectionClosed:
        pass


async def main() -> None:
    global HEARTBEAT_INTERVAL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--heartbeat-interval", type=int, default=300, help="seconds, returned in BootNotification")
    parser.add_argument("--backlog", type=int, default=1024, help="listen backlog (asyncio's default is 100)")
    args = parser.parse_args()
    HEARTBEAT_INTERVAL = args.heartbeat_interval

    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: stop.done() or stop.set_result(None))

    async with serve(
        on_connect,
        args.host,
        args.port,
        subprotocols=[Subprotocol("ocpp1.6")],
        max_size=1 << 20,
        backlog=args.backlog,
    ):
        print(f"pid {os.getpid()}", flush=True)
        print(
            f"listening on ws://{args.host}:{args.port}/ocpp/{{id}} "
            f"(ocpp {_version('ocpp')}, websockets {websockets.__version__})",
            flush=True,
        )
        await stop
    # Leaving the `async with` closed the listener and every connection (1001 going away).
    print("stopped", flush=True)


def _version(package: str) -> str:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # pragma: no cover - informational only
        return "?"


if __name__ == "__main__":
    # No per-message logging: the ocpp package logs every frame at INFO.
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main())
