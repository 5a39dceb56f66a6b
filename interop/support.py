"""Helpers of the interop suites that drive a running `ampere serve`.

Everything here talks to the server under test only through its public
interfaces (../../shared/CONTRACT.md): the OCPP-J WebSocket endpoint and the
REST API on 127.0.0.1. The server binary comes from AMPERE_BIN; without it
the server suites are skipped (see conftest.py).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import json
import logging
import math
import os
import shlex
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest
import requests
from ocpp.routing import on
from ocpp.v16 import ChargePoint as _OcppChargePoint
from ocpp.v16 import call, call_result
from websockets.asyncio.client import connect as _ws_connect

HERE = Path(__file__).resolve().parent

# AMPERE_TEST_DATABASE=postgres: every server of the suites gets a PostgreSQL
# database of its own on the server AMPERE_TEST_POSTGRES_URL names (the README's
# test command starts a throwaway one) instead of a SQLite file.
POSTGRES_SERVER_URL = (
    os.environ.get("AMPERE_TEST_POSTGRES_URL", "").strip() or None
    if os.environ.get("AMPERE_TEST_DATABASE", "").lower() == "postgres"
    else None
)
_CREATED_DATABASES: set[str] = set()

sqlite_only = pytest.mark.skipif(POSTGRES_SERVER_URL is not None, reason="checks the SQLite file itself")
postgres_only = pytest.mark.skipif(POSTGRES_SERVER_URL is None, reason="runs on PostgreSQL only")


def postgres_url(database: str) -> str:
    """The test server's URL with its database replaced."""
    parts = urllib.parse.urlsplit(POSTGRES_SERVER_URL)
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


def database_argument(path: Path) -> str:
    """The --database value for a server whose SQLite file would be `path`.

    On PostgreSQL the same path always names the same database (so restarts
    keep their data); it is created on first use.
    """
    if POSTGRES_SERVER_URL is None:
        return str(path)
    name = "i_" + hashlib.sha1(str(path).encode()).hexdigest()[:24]
    if name not in _CREATED_DATABASES:
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", POSTGRES_SERVER_URL, "-c", f'CREATE DATABASE "{name}"'],
            check=True, capture_output=True, timeout=60,
        )
        _CREATED_DATABASES.add(name)
    return postgres_url(name)


class TcpProxy:
    """Forwards a loopback port to (host, port) until stop(), which closes the
    listener and every forwarded connection at once: to the program on the
    near side, the server behind it has gone away (resets, then refusals).
    A new proxy on the same `listen_port` brings it back."""

    def __init__(self, host: str, port: int, listen_port: int = 0):
        self._target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", listen_port))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self._listener.accept()
            except OSError:
                return
            try:
                far = socket.create_connection(self._target, timeout=10)
                far.settimeout(None)
            except OSError:
                near.close()
                continue
            with self._lock:
                if self._stopped:
                    near.close()
                    far.close()
                    return
                self._sockets += [near, far]
            threading.Thread(target=self._pump, args=(near, far), daemon=True).start()
            threading.Thread(target=self._pump, args=(far, near), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for side in (source, sink):
            with contextlib.suppress(OSError):
                side.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            sockets, self._sockets = self._sockets, []
        # shutdown() wakes the thread blocked in accept(); close() alone may not.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for side in sockets:
            with contextlib.suppress(OSError):
                side.shutdown(socket.SHUT_RDWR)
            side.close()


def metric_value(metrics_text: str, sample: str) -> float | None:
    """The value of one sample (`name` or `name{labels}`, as the server writes it) in a
    Prometheus text exposition; None when it is absent."""
    for line in metrics_text.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    return None


ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "Secret-pass-123"

# Every OCPP-J 1.6 CALLERROR code (OCPP-J 1.6 section 4.2.3; the misspelling
# "Occurence" is the one the 1.6 errata keep).
OCPP16_ERROR_CODES = {
    "NotImplemented",
    "NotSupported",
    "InternalError",
    "ProtocolError",
    "SecurityError",
    "FormationViolation",
    "PropertyConstraintViolation",
    "OccurenceConstraintViolation",
    "TypeConstraintViolation",
    "GenericError",
}

# The codes the contract allows for a payload that breaks the JSON schema.
SCHEMA_VIOLATION_CODES = {
    "ProtocolError",
    "FormationViolation",
    "PropertyConstraintViolation",
    "TypeConstraintViolation",
    "OccurenceConstraintViolation",
}

ENERGY = "Energy.Active.Import.Register"

# The library logs every frame and every CALLERROR provoked on purpose.
logging.getLogger("ocpp").setLevel(logging.CRITICAL)
logging.getLogger("websockets").setLevel(logging.CRITICAL)


# --------------------------------------------------------------------------
# small utilities
# --------------------------------------------------------------------------


def unique_id(prefix: str) -> str:
    """A fresh charge point id no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def unique_tag(prefix: str = "T") -> str:
    """A fresh id tag that fits OCPP's IdToken (CiString20Type)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"[:20]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime | None = None) -> str:
    """An OCPP dateTime: ISO 8601 in UTC with milliseconds and a 'Z'."""
    moment = (moment or utc_now()).astimezone(dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_ts(value: Any) -> dt.datetime:
    """An ISO 8601 timestamp with a zone, as an aware UTC datetime."""
    assert isinstance(value, str) and value, f"not a timestamp: {value!r}"
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits += rest[0]
            rest = rest[1:]
        text = f"{head}.{(digits + '000000')[:6]}{rest}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise AssertionError(f"not an ISO 8601 timestamp: {value!r}") from exc
    assert parsed.tzinfo is not None, f"timestamp without time zone: {value!r}"
    return parsed.astimezone(dt.timezone.utc)


def assert_utc_timestamp(value: Any) -> dt.datetime:
    """An ISO 8601 string in UTC ('Z' or a zero offset), as the contract says."""
    moment = parse_ts(value)
    assert value.strip().endswith(("Z", "z", "+00:00", "-00:00", "+0000")), f"timestamp not in UTC: {value!r}"
    return moment


def same_moment(a: str, b: str, tolerance: float = 0.002) -> bool:
    return abs((parse_ts(a) - parse_ts(b)).total_seconds()) <= tolerance


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(coro, timeout: float = 60):
    """Run one async scenario, bounded in time."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def basic_auth_header(user: str, password: str) -> dict:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def poll(fetch: Callable[[], Any], predicate: Callable[[Any], bool], timeout: float = 10, interval: float = 0.2, what: str = "condition"):
    """Call fetch() until predicate(result) holds; return that result."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = fetch()
        if predicate(last):
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} not reached within {timeout} s; last: {last!r}")
        time.sleep(interval)


# --------------------------------------------------------------------------
# the server under test
# --------------------------------------------------------------------------

RUNNING_SERVERS: list["ServerProcess"] = []


def ampere_bin() -> str:
    """The server binary from AMPERE_BIN; skips the calling test without it."""
    path = os.environ.get("AMPERE_BIN", "").strip()
    if not path:
        pytest.skip("AMPERE_BIN is not set: no server to test")
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        pytest.skip(f"AMPERE_BIN={path} is not an executable file")
    return path


class ServerProcess:
    """One `ampere serve` process on a free port of 127.0.0.1.

    extra_args go after the standard --host/--port/--database options.
    With standard_args=False nothing is added (configure through env).
    With admin=False, AMPERE_ADMIN_EMAIL / AMPERE_ADMIN_PASSWORD are not set.
    """

    def __init__(
        self,
        binary: str,
        workdir: Path,
        database: Path | None,
        extra_args: Iterable[str] = (),
        *,
        env: dict | None = None,
        admin: bool | tuple[str, str] = True,
        standard_args: bool = True,
        name: str | None = None,
    ):
        self.binary = binary
        self.workdir = Path(workdir)
        # A Path is a SQLite file (or its PostgreSQL stand-in); a str is passed as it is (a postgres:// URL).
        self.database = database if isinstance(database, str) else (Path(database) if database else None)
        self.extra_args = list(extra_args)
        self.extra_env = dict(env or {})
        self.admin = admin
        self.standard_args = standard_args
        self.name = name
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self._log_file = None
        self._starts = 0
        self.returncode: int | None = None
        # Run in the child before `ampere serve` starts (subprocess's preexec_fn), e.g. to set its limits.
        self.preexec: Callable[[], None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def api(self, signin: bool = True) -> "Api":
        client = Api(self.base_url)
        if signin:
            if isinstance(self.admin, tuple):
                client.signin(*self.admin)
            else:
                client.signin()
        return client

    def start(self, timeout: float = 60, port: int | None = None) -> str:
        assert self.proc is None, "already running"
        self.port = port or free_port()
        command = [self.binary, "serve"]
        if self.standard_args:
            command += ["--host", "127.0.0.1", "--port", str(self.port)]
            if self.database is not None:
                database = self.database if isinstance(self.database, str) else database_argument(self.database)
                command += ["--database", database]
        command += self.extra_args
        env = {k: v for k, v in os.environ.items() if not k.startswith("AMPERE_")}
        if self.admin:
            email, password = self.admin if isinstance(self.admin, tuple) else (ADMIN_EMAIL, ADMIN_PASSWORD)
            env["AMPERE_ADMIN_EMAIL"] = email
            env["AMPERE_ADMIN_PASSWORD"] = password
        env.update(self.extra_env)
        self._starts += 1
        stem = self.name or (self.database.stem if isinstance(self.database, Path) else "server")
        self.log_path = self.workdir / f"{stem}-run{self._starts}.log"
        self._log_file = open(self.log_path, "wb")
        self._log_file.write(("$ " + shlex.join(command) + "\n").encode())
        self._log_file.flush()
        self.proc = subprocess.Popen(
            command,
            cwd=str(self.workdir),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=self.preexec,
        )
        RUNNING_SERVERS.append(self)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.kill()
            raise
        return self.base_url

    def _wait_ready(self, timeout: float) -> None:
        session = requests.Session()
        session.trust_env = False
        deadline = time.monotonic() + timeout
        last_error = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with code {self.proc.returncode} before it was ready\n" + self.log_tail()
                )
            try:
                response = session.get(self.base_url + "/healthz", timeout=2)
                if response.status_code == 200:
                    return
                last_error = f"HTTP {response.status_code}"
            except requests.RequestException as exc:
                last_error = type(exc).__name__
            time.sleep(0.1)
        raise RuntimeError(f"GET /healthz did not answer 200 within {timeout:.0f} s ({last_error})\n" + self.log_tail())

    def _forget(self, proc) -> None:
        if self in RUNNING_SERVERS:
            RUNNING_SERVERS.remove(self)
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    def stop(self, grace: float = 15) -> int | None:
        """SIGTERM (graceful shutdown), SIGKILL after `grace` seconds."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        try:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(grace)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(10)
            else:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
        finally:
            self._forget(proc)
        self.returncode = proc.returncode
        return proc.returncode

    def kill(self) -> None:
        """SIGKILL at once: no shutdown code runs. start() may follow."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        finally:
            self._forget(proc)
        self.returncode = proc.returncode

    def restart(self, hard: bool = False) -> str:
        if hard:
            self.kill()
        else:
            self.stop()
        return self.start()

    def log_text(self, run_number: int | None = None) -> str:
        path = self.log_path
        if run_number is not None and self.database is not None:
            path = self.workdir / f"{self.database.stem}-run{run_number}.log"
        if not path or not path.exists():
            return ""
        return path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


# --------------------------------------------------------------------------
# REST client
# --------------------------------------------------------------------------


class Api:
    """A thin REST client for /api/v1 (never uses proxies from the env)."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 40):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False

    def url(self, path: str) -> str:
        if path.startswith("/api/") or path in ("/healthz", "/metrics"):
            return self.base_url + path
        return self.base_url + "/api/v1" + path

    def request(self, method: str, path: str, *, auth: bool = True, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if auth and self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, self.url(path), headers=headers, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def signin(self, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> str:
        response = self.post("/auth/signin", json={"email": email, "password": password}, auth=False)
        assert response.status_code == 200, f"sign-in failed: {response.status_code} {response.text}"
        token = response.json().get("token")
        assert isinstance(token, str) and token, f"no token in {response.text}"
        self.token = token
        return token

    # -- typed helpers -------------------------------------------------

    def station(self, cp_id: str) -> dict:
        response = self.get(station_path(cp_id))
        assert response.status_code == 200, f"GET station {cp_id}: {response.status_code} {response.text}"
        return response.json()

    def wait_station(self, cp_id: str, predicate, timeout: float = 10, interval: float = 0.2) -> dict:
        def fetch():
            response = self.get(station_path(cp_id))
            return response.json() if response.status_code == 200 else f"HTTP {response.status_code}: {response.text}"

        return poll(fetch, lambda b: isinstance(b, dict) and predicate(b), timeout, interval, what=f"station {cp_id} state")

    def create_station(self, cp_id: str, password: str | None = None) -> requests.Response:
        body: dict = {"id": cp_id}
        if password is not None:
            body["password"] = password
        response = self.post("/charging-stations", json=body)
        assert response.status_code == 201, f"POST /charging-stations {body}: {response.status_code} {response.text}"
        return response

    def create_tag(self, id_tag: str, status: str = "Accepted", **extra) -> dict:
        body = {"idTag": id_tag, "status": status, **extra}
        response = self.post("/tags", json=body)
        assert response.status_code == 201, f"POST /tags {body}: {response.status_code} {response.text}"
        return response.json()

    def transaction(self, tx_id: int) -> dict:
        response = self.get(f"/transactions/{tx_id}")
        assert response.status_code == 200, f"GET transaction {tx_id}: {response.status_code} {response.text}"
        return response.json()

    def transactions_of(self, cp_id: str, **filters) -> list:
        params = {"chargingStationId": cp_id, "limit": 100, **filters}
        response = self.get("/transactions", params=params)
        assert response.status_code == 200, f"GET /transactions: {response.status_code} {response.text}"
        items = list_items(response.json())
        others = [t for t in items if t.get("chargingStationId") != cp_id]
        assert not others, f"chargingStationId={cp_id} filter returned other stations: {others}"
        return items

    def meter_values(self, tx_id: int) -> list:
        response = self.get(f"/transactions/{tx_id}/meter-values", params={"limit": 1000})
        assert response.status_code == 200, f"GET meter-values: {response.status_code} {response.text}"
        return list_items(response.json())

    def messages(self, cp_id: str, **params) -> list:
        response = self.get(f"{station_path(cp_id)}/messages", params={"limit": 1000, **params})
        assert response.status_code == 200, f"GET messages: {response.status_code} {response.text}"
        return list_items(response.json())

    def wait_messages(self, cp_id: str, predicate, timeout: float = 8) -> list:
        """Poll the message log (written asynchronously) until predicate(items)."""
        return poll(lambda: self.messages(cp_id), predicate, timeout, what=f"message log of {cp_id}")


def station_path(cp_id: str) -> str:
    return "/charging-stations/" + urllib.parse.quote(cp_id, safe="")


def tag_path(id_tag: str) -> str:
    return "/tags/" + urllib.parse.quote(id_tag, safe="")


def list_items(body: Any) -> list:
    """The contract's list shape {"items": [...], "total": N}."""
    assert isinstance(body, dict), f"a list must answer an object, got {body!r}"
    assert isinstance(body.get("items"), list), f"no items array in {body!r}"
    assert isinstance(body.get("total"), int) and not isinstance(body["total"], bool), f"no integer total in {body!r}"
    return body["items"]


def assert_error_body(response: requests.Response) -> dict:
    """The contract's error shape {"error": {"code": "...", "message": "..."}}."""
    try:
        body = response.json()
    except ValueError as exc:
        raise AssertionError(f"error body is not JSON (HTTP {response.status_code}): {response.text!r}") from exc
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"no error object in {body!r}"
    assert isinstance(error.get("code"), str) and error["code"], f"no error code in {body!r}"
    assert isinstance(error.get("message"), str), f"no error message in {body!r}"
    return error


def frame_of(item: dict) -> Any:
    """The logged frame of a message-log item, decoded when it is text."""
    frame = item.get("frame")
    if isinstance(frame, str):
        with contextlib.suppress(ValueError):
            return json.loads(frame)
    return frame


# -- meter values ------------------------------------------------------------

SAMPLED_VALUE_REQUIRED = ("timestamp", "value", "measurand", "unit", "context")
SAMPLED_VALUE_OPTIONAL = ("phase", "location", "format")


def sampled_value_items(items: list) -> list[dict]:
    """Check the contract's flat meter-value items and return them."""
    for item in items:
        assert isinstance(item, dict), f"meter value item is not an object: {item!r}"
        assert "sampledValue" not in item, f"meter value items must be flat sampled values: {item!r}"
        for key in SAMPLED_VALUE_REQUIRED:
            assert item.get(key) is not None, f"meter value item without {key}: {item!r}"
        assert_utc_timestamp(item["timestamp"])
        for key in ("measurand", "unit", "context"):
            assert isinstance(item[key], str) and item[key], f"{key} is not a string: {item!r}"
        value = item["value"]
        assert isinstance(value, (str, int, float)) and not isinstance(value, bool), item
        for key in SAMPLED_VALUE_OPTIONAL:
            assert item.get(key) is None or isinstance(item[key], str), f"{key} is not a string: {item!r}"
    return items


def sampled_number(item: dict) -> float:
    try:
        number = float(item["value"])
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"sampled value without a numeric value: {item!r}") from exc
    assert math.isfinite(number), item
    return number


def normalize_sampled_values(items: list) -> list[tuple]:
    """(timestamp, measurand, value, unit) tuples of meter-value items."""
    return [
        (parse_ts(i["timestamp"]), i["measurand"], sampled_number(i), i["unit"]) for i in sampled_value_items(items)
    ]


# --------------------------------------------------------------------------
# charge points
# --------------------------------------------------------------------------


def ocpp_url(ws_base: str, cp_id: str) -> str:
    return f"{ws_base}/ocpp/{urllib.parse.quote(cp_id, safe='')}"


async def ws_open(
    ws_base: str,
    cp_id: str,
    subprotocols: Iterable[str] | None = ("ocpp1.6",),
    *,
    auth: tuple[str, str] | None = None,
    raw_path: str | None = None,
    open_timeout: float = 10,
    **kwargs,
):
    """Open a WebSocket to the OCPP endpoint (raises on a refused upgrade)."""
    headers = basic_auth_header(*auth) if auth else {}
    url = ws_base + raw_path if raw_path is not None else ocpp_url(ws_base, cp_id)
    kwargs.setdefault("ping_interval", None)
    return await _ws_connect(
        url,
        subprotocols=list(subprotocols) if subprotocols is not None else None,
        additional_headers=headers,
        proxy=None,
        open_timeout=open_timeout,
        close_timeout=5,
        max_size=None,
        compression=None,
        **kwargs,
    )


async def upgrade_status(ws_base: str, cp_id: str, **kwargs) -> int:
    """101 when the upgrade succeeds (the socket is closed again), else the
    HTTP status of the refusal."""
    return (await upgrade_answer(ws_base, cp_id, **kwargs))[0]


async def upgrade_answer(ws_base: str, cp_id: str, **kwargs) -> tuple[int, bytes]:
    """The upgrade's status and body: (101, b"") when it succeeds (the socket
    is closed again), else the refusal's HTTP status and body."""
    from websockets.exceptions import InvalidStatus

    try:
        ws = await ws_open(ws_base, cp_id, **kwargs)
    except InvalidStatus as exc:
        return exc.response.status_code, exc.response.body or b""
    await ws.close()
    return 101, b""


def close_code(ws) -> int | None:
    """The close code the server sent (None when it sent no close frame)."""
    rcvd = getattr(ws.protocol, "close_rcvd", None)
    return rcvd.code if rcvd is not None else None


class SimChargePoint(_OcppChargePoint):
    """A charge point driven by the `ocpp` package.

    Answers the CSMS-initiated calls the tests use and records each in
    `received` as (action, snake_case payload); `raw_calls` keeps every CALL
    frame that reached it. `answers` overrides a status per action.
    """

    def __init__(self, cp_id, connection, response_timeout=15):
        super().__init__(cp_id, connection, response_timeout=response_timeout)
        self.received: list[tuple[str, dict]] = []
        self.raw_calls: list[list] = []
        self.received_event = asyncio.Event()
        self.answers: dict[str, str] = {}
        self.delay: float = 0.0
        self.configuration = {
            "HeartbeatInterval": ("300", False),
            "MeterValueSampleInterval": ("60", False),
            "NumberOfConnectors": ("2", True),
            "AcceptanceWritable": ("initial", False),
            "AcceptanceReadOnly": ("fixed", True),
        }

    async def route_message(self, raw_msg):
        with contextlib.suppress(Exception):
            frame = json.loads(raw_msg)
            if isinstance(frame, list) and frame and frame[0] == 2:
                self.raw_calls.append(frame)
        await super().route_message(raw_msg)

    def _record(self, action, payload):
        self.received.append((action, payload))
        self.received_event.set()

    def mark(self) -> int:
        return len(self.received)

    def raw_mark(self) -> int:
        return len(self.raw_calls)

    def calls_since(self, mark: int, action: str | None = None) -> list[list]:
        return [c for c in self.raw_calls[mark:] if action is None or (len(c) > 2 and c[2] == action)]

    async def wait_received(self, action: str, timeout: float = 10, since: int = 0, match=None) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for name, payload in self.received[since:]:
                if name == action and (match is None or match(payload)):
                    return payload
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.id} never received the {action} expected; got {self.received}")
            self.received_event.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.received_event.wait(), remaining)

    async def _pause(self):
        if self.delay:
            await asyncio.sleep(self.delay)

    # -- CSMS-initiated calls -----------------------------------------

    @on("RemoteStartTransaction")
    async def _on_remote_start(self, id_tag, **kwargs):
        self._record("RemoteStartTransaction", {"id_tag": id_tag, **kwargs})
        return call_result.RemoteStartTransaction(status=self.answers.get("RemoteStartTransaction", "Accepted"))

    @on("RemoteStopTransaction")
    async def _on_remote_stop(self, transaction_id, **kwargs):
        self._record("RemoteStopTransaction", {"transaction_id": transaction_id, **kwargs})
        return call_result.RemoteStopTransaction(status=self.answers.get("RemoteStopTransaction", "Accepted"))

    @on("GetConfiguration")
    async def _on_get_configuration(self, key=None, **kwargs):
        self._record("GetConfiguration", {"key": key, **kwargs})
        await self._pause()
        names = key if key else list(self.configuration)
        known = [
            {"key": n, "readonly": self.configuration[n][1], "value": self.configuration[n][0]}
            for n in names
            if n in self.configuration
        ]
        unknown = [n for n in names if n not in self.configuration]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @on("ChangeConfiguration")
    async def _on_change_configuration(self, key, value, **kwargs):
        self._record("ChangeConfiguration", {"key": key, "value": value})
        if key not in self.configuration:
            return call_result.ChangeConfiguration(status="NotSupported")
        if self.configuration[key][1]:
            return call_result.ChangeConfiguration(status="Rejected")
        self.configuration[key] = (value, False)
        return call_result.ChangeConfiguration(status="Accepted")

    @on("Reset")
    async def _on_reset(self, type, **kwargs):
        self._record("Reset", {"type": type})
        return call_result.Reset(status=self.answers.get("Reset", "Accepted"))

    @on("TriggerMessage")
    async def _on_trigger_message(self, requested_message, **kwargs):
        self._record("TriggerMessage", {"requested_message": requested_message, **kwargs})
        return call_result.TriggerMessage(status=self.answers.get("TriggerMessage", "Accepted"))

    @on("UnlockConnector")
    async def _on_unlock_connector(self, connector_id, **kwargs):
        self._record("UnlockConnector", {"connector_id": connector_id})
        return call_result.UnlockConnector(status=self.answers.get("UnlockConnector", "Unlocked"))

    @on("ClearCache")
    async def _on_clear_cache(self, **kwargs):
        self._record("ClearCache", {})
        return call_result.ClearCache(status=self.answers.get("ClearCache", "Accepted"))

    @on("ChangeAvailability")
    async def _on_change_availability(self, connector_id, type, **kwargs):
        self._record("ChangeAvailability", {"connector_id": connector_id, "type": type})
        return call_result.ChangeAvailability(status=self.answers.get("ChangeAvailability", "Scheduled"))

    @on("DataTransfer")
    async def _on_data_transfer(self, vendor_id, **kwargs):
        self._record("DataTransfer", {"vendor_id": vendor_id, **kwargs})
        return call_result.DataTransfer(status="Accepted", data="pong")

    # -- charge point initiated calls -----------------------------------

    async def boot(self, vendor="AcmeCharge", model="AC-22", **extra):
        return await self.call(
            call.BootNotification(charge_point_vendor=vendor, charge_point_model=model, **extra), suppress=False
        )

    async def heartbeat(self):
        return await self.call(call.Heartbeat(), suppress=False)

    async def status(self, connector_id, status, error_code="NoError", **extra):
        return await self.call(
            call.StatusNotification(connector_id=connector_id, error_code=error_code, status=status, **extra),
            suppress=False,
        )

    async def authorize(self, id_tag):
        return await self.call(call.Authorize(id_tag=id_tag), suppress=False)

    async def start_tx(self, connector_id, id_tag, meter_start, timestamp=None, **extra):
        return await self.call(
            call.StartTransaction(
                connector_id=connector_id, id_tag=id_tag, meter_start=meter_start, timestamp=timestamp or iso(), **extra
            ),
            suppress=False,
        )

    async def meter_values(self, connector_id, transaction_id, samples):
        """samples: list of (timestamp, [(measurand, value, unit), ...])."""
        meter_value = [
            {
                "timestamp": ts,
                "sampledValue": [
                    {"value": str(value), "context": "Sample.Periodic", "measurand": measurand, "location": "Outlet", "unit": unit}
                    for measurand, value, unit in values
                ],
            }
            for ts, values in samples
        ]
        return await self.call(
            call.MeterValues(connector_id=connector_id, transaction_id=transaction_id, meter_value=meter_value),
            suppress=False,
        )

    async def stop_tx(self, transaction_id, meter_stop, reason="Local", id_tag=None, timestamp=None, **extra):
        return await self.call(
            call.StopTransaction(
                meter_stop=meter_stop,
                timestamp=timestamp or iso(),
                transaction_id=transaction_id,
                reason=reason,
                id_tag=id_tag,
                **extra,
            ),
            suppress=False,
        )


class ChargePointSession:
    """An open connection plus the library ChargePoint serving it."""

    def __init__(self, ws, cp: SimChargePoint):
        self.ws = ws
        self.cp = cp
        self.task = asyncio.create_task(self._serve())

    async def _serve(self):
        with contextlib.suppress(Exception):
            await self.cp.start()

    async def close(self):
        self.task.cancel()
        with contextlib.suppress(BaseException):
            await self.task
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(self.ws.close(), 10)

    async def wait_closed(self, timeout: float = 10) -> bool:
        try:
            await asyncio.wait_for(self.ws.wait_closed(), timeout)
            return True
        except asyncio.TimeoutError:
            return False


async def open_charge_point(ws_base: str, cp_id: str, *, boot: bool = True, cls=SimChargePoint, **open_kwargs) -> ChargePointSession:
    ws = await ws_open(ws_base, cp_id, **open_kwargs)
    assert ws.subprotocol == "ocpp1.6", f"negotiated subprotocol {ws.subprotocol!r}"
    session = ChargePointSession(ws, cls(cp_id, ws))
    if boot:
        try:
            result = await session.cp.boot()
            assert result.status == "Accepted", f"BootNotification answered {result}"
        except BaseException:
            await session.close()
            raise
    return session


@contextlib.asynccontextmanager
async def charge_point(ws_base: str, cp_id: str, *, boot: bool = True, cls=SimChargePoint, **open_kwargs):
    """Connect a library charge point, optionally boot it, close it afterwards."""
    session = await open_charge_point(ws_base, cp_id, boot=boot, cls=cls, **open_kwargs)
    try:
        yield session.cp
    finally:
        await session.close()


class RawClient:
    """A charge point speaking OCPP-J by hand, for malformed-frame tests.

    CALLs from the server are kept in `incoming`; with answer_calls they get
    a NotImplemented CALLERROR (a legal charge point answer).
    """

    def __init__(self, ws, answer_calls: bool = True):
        self.ws = ws
        self.answer_calls = answer_calls
        self.incoming: list[list] = []

    async def send(self, text: str | bytes):
        await self.ws.send(text)

    async def recv_frame(self, timeout: float = 10) -> Any:
        text = await asyncio.wait_for(self.ws.recv(), timeout)
        try:
            return json.loads(text)
        except ValueError as exc:
            raise AssertionError(f"server sent a frame that is not JSON: {text!r}") from exc

    async def reply_to(self, unique_id: str | None, timeout: float = 10) -> list:
        """Wait for a CALLRESULT/CALLERROR; unique_id None accepts any id."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise asyncio.TimeoutError(f"no reply to {unique_id!r} within {timeout} s")
            frame = await self.recv_frame(remaining)
            assert isinstance(frame, list) and frame, f"server sent a non-OCPP-J frame: {frame!r}"
            if frame[0] == 2:
                if self.answer_calls and len(frame) > 1:
                    await self.send(json.dumps([4, frame[1], "NotImplemented", "", {}]))
                else:
                    self.incoming.append(frame)
                continue
            assert frame[0] in (3, 4), f"unknown message type from the server: {frame!r}"
            if unique_id is None or frame[1] == unique_id:
                return frame

    async def call(self, action: str, payload: Any, unique_id: str | None = None, timeout: float = 10) -> list:
        unique_id = unique_id or uuid.uuid4().hex[:20]
        await self.send(json.dumps([2, unique_id, action, payload]))
        return await self.reply_to(unique_id, timeout)

    async def next_call(self, action: str | None = None, timeout: float = 10) -> list:
        """The next CALL the server sends (for `action`), left unanswered."""
        deadline = time.monotonic() + timeout
        while True:
            while self.incoming:
                frame = self.incoming.pop(0)
                if action is None or (len(frame) > 2 and frame[2] == action):
                    return frame
                await self.send(json.dumps([4, frame[1], "NotImplemented", "", {}]))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise asyncio.TimeoutError(f"the server sent no {action or 'CALL'}")
            frame = await self.recv_frame(remaining)
            if isinstance(frame, list) and len(frame) > 1 and frame[0] == 2:
                self.incoming.append(frame)

    async def boot(self, status: str = "Accepted"):
        reply = await self.call("BootNotification", {"chargePointVendor": "RawVendor", "chargePointModel": "Raw-1"})
        assert reply[0] == 3 and reply[2].get("status") == status, f"boot answered {reply}"
        return reply

    async def heartbeat_ok(self):
        reply = await self.call("Heartbeat", {})
        assert reply[0] == 3, f"Heartbeat answered {reply}"
        parse_ts(reply[2].get("currentTime"))
        return reply


@contextlib.asynccontextmanager
async def raw_client(ws_base: str, cp_id: str, *, boot: bool = True, answer_calls: bool = True, **open_kwargs):
    ws = await ws_open(ws_base, cp_id, **open_kwargs)
    try:
        client = RawClient(ws, answer_calls=answer_calls)
        if boot:
            await client.boot()
        yield client
    finally:
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(ws.close(), 10)


def assert_callerror(frame: Any, unique_ids: Iterable[str], codes: Iterable[str] = OCPP16_ERROR_CODES):
    """frame is [4, uniqueId, errorCode, errorDescription, errorDetails]."""
    unique_ids = list(unique_ids)
    codes = set(codes)
    assert isinstance(frame, list), f"not an OCPP-J frame: {frame!r}"
    assert len(frame) == 5 and frame[0] == 4, f"expected a CALLERROR, got {frame!r}"
    assert frame[1] in unique_ids, f"CALLERROR message id {frame[1]!r}, expected one of {unique_ids}"
    assert frame[2] in codes, f"CALLERROR code {frame[2]!r}, expected one of {sorted(codes)}"
    assert isinstance(frame[3], str), f"errorDescription must be a string: {frame!r}"
    assert isinstance(frame[4], dict), f"errorDetails must be an object: {frame!r}"
    return frame


# -- JWT tampering (for the auth tests) ---------------------------------------


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tampered_tokens(token: str) -> dict[str, str]:
    """Variants of a valid token that a server must refuse."""
    variants: dict[str, str] = {}
    mid = len(token) // 2
    variants["middle-char-changed"] = token[:mid] + ("A" if token[mid] != "A" else "B") + token[mid + 1 :]
    variants["truncated"] = token[: len(token) - 8]
    parts = token.split(".")
    if len(parts) == 3:
        header, payload, signature = parts
        with contextlib.suppress(Exception):
            claims = json.loads(_b64url_decode(payload))
            if isinstance(claims, dict):
                forged = dict(claims)
                forged["exp"] = int(time.time()) + 10 * 365 * 86400
                forged["sub"] = str(forged.get("sub", "x")) + "x"
                forged_payload = _b64url_encode(json.dumps(forged).encode())
                variants["payload-changed"] = f"{header}.{forged_payload}.{signature}"
                none_header = _b64url_encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
                variants["alg-none"] = f"{none_header}.{payload}."
        sig = signature
        if len(sig) > 4:
            j = len(sig) // 2
            variants["signature-changed"] = f"{header}.{payload}.{sig[:j]}{'A' if sig[j] != 'A' else 'B'}{sig[j + 1:]}"
        variants["no-signature"] = f"{header}.{payload}."
    return variants
