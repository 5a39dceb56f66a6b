"""The WebSocket layer of the OCPP endpoint, byte by byte (RFC 6455):
fragmented messages, pings and pongs, the closing handshake, frames a
client must not send, and a client that sends many calls without waiting."""

import asyncio
import base64
import json
import os
import socket
import struct
import time

import requests

import support
from support import run, unique_id


def _frame(opcode: int, payload: bytes, *, fin: bool = True, masked: bool = True, rsv: int = 0) -> bytes:
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    length = len(payload)
    if length < 126:
        head = bytes([first, (0x80 if masked else 0) | length])
    elif length < 65536:
        head = bytes([first, (0x80 if masked else 0) | 126]) + struct.pack("!H", length)
    else:
        head = bytes([first, (0x80 if masked else 0) | 127]) + struct.pack("!Q", length)
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class RawSocket:
    """An upgraded WebSocket over a plain TCP stream, frames written by hand."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int, cp_id: str, receive_buffer: int | None = None) -> "RawSocket":
        """Connects and upgrades; `receive_buffer` sets SO_RCVBUF before the connection (it cannot grow after)."""
        if receive_buffer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        else:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
            reader, writer = await asyncio.open_connection(sock=sock)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ocpp/{cp_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def send_text(self, text: str) -> None:
        await self.send(_frame(0x1, text.encode()))

    async def read_frame(self, timeout: float = 10) -> tuple[int, bytes]:
        """(opcode, payload) of the next frame, or (-1, b"") when the socket closed."""
        try:
            head = await asyncio.wait_for(self.reader.readexactly(2), timeout)
        except asyncio.IncompleteReadError:
            return -1, b""
        assert head[1] & 0x80 == 0, "a server must not mask its frames"
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", await self.reader.readexactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", await self.reader.readexactly(8))[0]
        return head[0] & 0x0F, await asyncio.wait_for(self.reader.readexactly(length), timeout)

    async def read_json(self, timeout: float = 10):
        while True:
            opcode, payload = await self.read_frame(timeout)
            assert opcode != -1, "the socket closed"
            if opcode == 0x1:
                return json.loads(payload)
            assert opcode in (0x9, 0xA), f"unexpected opcode {opcode}"

    async def expect_close(self, code: int) -> None:
        """The server's close frame carries `code`, and then the socket ends."""
        while True:
            opcode, payload = await self.read_frame()
            assert opcode != -1, "the socket ended without a close frame"
            if opcode == 0x8:
                assert struct.unpack("!H", payload[:2])[0] == code, payload
                break
        assert await asyncio.wait_for(self.reader.read(), 10) == b"", "the socket stayed open after the close"

    def close(self) -> None:
        self.writer.close()


def _call(message_id: str, action: str, payload: dict) -> str:
    return json.dumps([2, message_id, action, payload])


BOOT = {"chargePointVendor": "Vendor", "chargePointModel": "Model"}


def test_fragmented_message_is_joined_and_answered(server_process):
    async def scenario():
        ws = await RawSocket.open(server_process.port, unique_id("FRAG"))
        try:
            text = _call("boot-1", "BootNotification", BOOT).encode()
            third = len(text) // 3
            await ws.send(_frame(0x1, text[:third], fin=False))
            # RFC 6455 §5.4: control frames may come between the fragments of a message.
            await ws.send(_frame(0x9, b"between"))
            await ws.send(_frame(0x0, text[third : 2 * third], fin=False))
            await ws.send(_frame(0x0, text[2 * third :], fin=True))
            opcode, payload = await ws.read_frame()
            assert (opcode, payload) == (0xA, b"between"), "the ping inside the message was not answered first"
            reply = await ws.read_json()
            assert reply[0] == 3 and reply[1] == "boot-1" and reply[2]["status"] == "Accepted", reply
        finally:
            ws.close()

    run(scenario())


def test_ping_is_answered_with_its_payload(server_process):
    async def scenario():
        ws = await RawSocket.open(server_process.port, unique_id("PING"))
        try:
            await ws.send(_frame(0x9, b"are you there"))
            assert await ws.read_frame() == (0xA, b"are you there")
            await ws.send_text(_call("hb-1", "Heartbeat", {}))
            assert (await ws.read_json())[1] == "hb-1"
        finally:
            ws.close()

    run(scenario())


def test_close_from_the_client_is_echoed_and_the_station_goes_offline(server_process, api):
    cp_id = unique_id("BYE")

    async def scenario():
        ws = await RawSocket.open(server_process.port, cp_id)
        try:
            await ws.send_text(_call("boot-1", "BootNotification", BOOT))
            assert (await ws.read_json())[1] == "boot-1"
            await ws.send(_frame(0x8, struct.pack("!H", 1000) + b"done"))
            await ws.expect_close(1000)
        finally:
            ws.close()
        await asyncio.to_thread(api.wait_station, cp_id, lambda s: s["connected"] is False, 10)

    run(scenario())


def test_unmasked_frame_fails_the_connection_with_1002(server_process):
    async def scenario():
        ws = await RawSocket.open(server_process.port, unique_id("UNMASK"))
        try:
            await ws.send(_frame(0x1, _call("hb-1", "Heartbeat", {}).encode(), masked=False))
            await ws.expect_close(1002)
        finally:
            ws.close()

    run(scenario())


def test_reserved_bits_and_stray_continuation_fail_with_1002(server_process):
    async def scenario():
        for bad in (
            _frame(0x1, _call("hb-1", "Heartbeat", {}).encode(), rsv=0b100),
            _frame(0x0, b"no message to continue"),
            _frame(0x3, b"reserved opcode"),
        ):
            ws = await RawSocket.open(server_process.port, unique_id("BAD"))
            try:
                await ws.send(bad)
                await ws.expect_close(1002)
            finally:
                ws.close()

    run(scenario())


def test_invalid_utf8_text_fails_with_1007_and_valid_utf8_is_answered(server_process):
    async def scenario():
        ws = await RawSocket.open(server_process.port, unique_id("UTF"))
        try:
            vendor = "Größe ⚡ 充电".encode()
            payload = b'[2,"boot-1","BootNotification",{"chargePointVendor":"' + vendor + b'","chargePointModel":"M"}]'
            await ws.send(_frame(0x1, payload))
            reply = await ws.read_json()
            assert reply[1] == "boot-1" and reply[0] == 3, reply
            await ws.send(_frame(0x1, b'[2,"hb-1","Heartbeat",{"x":"\xc3\x28"}]'))
            await ws.expect_close(1007)
        finally:
            ws.close()

    run(scenario())


def test_calls_sent_without_waiting_are_all_answered_in_order(server_process):
    """More calls than the server queues per connection: reading pauses and resumes, nothing is lost.
    StatusNotification waits for storage, so these go through the connection's queue (a Heartbeat would not)."""
    count = 500
    status = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}

    async def scenario():
        ws = await RawSocket.open(server_process.port, unique_id("PIPE"))
        try:
            await ws.send_text(_call("boot", "BootNotification", BOOT))
            assert (await ws.read_json())[1] == "boot"
            await ws.send(b"".join(_frame(0x1, _call(f"sn-{i}", "StatusNotification", status).encode()) for i in range(count)))
            ids = [(await ws.read_json(20))[1] for _ in range(count)]
            assert ids == [f"sn-{i}" for i in range(count)]
            # and the connection still works afterwards
            await ws.send_text(_call("last", "Heartbeat", {}))
            assert (await ws.read_json())[1] == "last"
        finally:
            ws.close()

    run(scenario())


def _kernel_buffer_max(name: str) -> int:
    """The largest size Linux lets a TCP socket's buffer grow to (the last of tcp_rmem / tcp_wmem)."""
    with open(f"/proc/sys/net/ipv4/{name}") as f:
        return int(f.read().split()[-1])


def test_a_peer_that_never_reads_its_answers_stops_being_read(server_process):
    """Calls from a peer that reads none of the answers: once the answers back up, the server stops reading
    instead of holding every answer in memory."""
    heartbeat = _frame(0x1, _call("hb", "Heartbeat", {}).encode())
    answer_size = 70  # [3,"hb",{"currentTime":"…"}] in its frame
    # What the kernel can take before the sender blocks when the server reads nothing more: the server's
    # receive buffer, the sender's send buffer, and the answers queued in the server's send buffer, in calls.
    rmem, wmem = _kernel_buffer_max("tcp_rmem"), _kernel_buffer_max("tcp_wmem")
    absorbed = rmem + wmem + wmem * len(heartbeat) // answer_size + (2 << 20)
    data = heartbeat * (3 * absorbed // len(heartbeat))

    async def flood() -> int:
        ws = await RawSocket.open(server_process.port, unique_id("DEAF"), receive_buffer=4096)
        try:
            await ws.send_text(_call("boot", "BootNotification", BOOT))
            # Everything at once, never read: what the kernel has not taken stays in the transport's buffer.
            ws.writer.write(data)
            transport = ws.writer.transport
            waiting, since = transport.get_write_buffer_size(), time.monotonic()
            started = time.monotonic()
            while waiting and time.monotonic() - since < 3 and time.monotonic() - started < 60:
                await asyncio.sleep(0.05)
                if transport.get_write_buffer_size() < waiting:
                    waiting, since = transport.get_write_buffer_size(), time.monotonic()
            return len(data) - waiting
        finally:
            ws.writer.transport.abort()

    sent = run(flood())
    assert sent <= absorbed, f"the server read {sent} of {len(data)} bytes from a peer that reads nothing"

    async def others_are_served():
        ws = await RawSocket.open(server_process.port, unique_id("AFTER"))
        try:
            await ws.send_text(_call("boot", "BootNotification", BOOT))
            assert (await ws.read_json())[1] == "boot"
            await ws.send_text(_call("hb", "Heartbeat", {}))
            assert "currentTime" in (await ws.read_json())[2]
        finally:
            ws.close()

    run(others_are_served())


def test_calls_served_at_once_and_calls_that_wait_are_answered_in_arrival_order(server_process):
    """Heartbeats are answered on the event loop, StatusNotification and Authorize after storage: pipelined, all keep their order."""
    count = 300
    kinds = [
        ("Heartbeat", {}),
        ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"}),
        ("Heartbeat", {}),
        ("Authorize", {"idTag": "ORDER-TAG"}),
    ]

    async def scenario():
        ws = await RawSocket.open(server_process.port, unique_id("MIXED"))
        try:
            await ws.send_text(_call("boot", "BootNotification", BOOT))
            assert (await ws.read_json())[1] == "boot"
            calls = [(f"m-{i}", *kinds[i % len(kinds)]) for i in range(count)]
            await ws.send(b"".join(_frame(0x1, _call(mid, action, payload).encode()) for mid, action, payload in calls))
            replies = [await ws.read_json(20) for _ in range(count)]
            assert [r[1] for r in replies] == [mid for mid, _, _ in calls]
            for (mid, action, _), reply in zip(calls, replies):
                assert reply[0] == 3, reply
                if action == "Heartbeat":
                    assert "currentTime" in reply[2], reply
                elif action == "Authorize":
                    assert "idTagInfo" in reply[2], reply
                else:
                    assert reply[2] == {}, reply
        finally:
            ws.close()

    run(scenario())


def test_max_connection_rate_paces_upgrades(server_factory):
    """--max-connection-rate 10: thirty stations at once are all accepted, over about three seconds."""
    proc = server_factory("--max-connection-rate", "10")

    async def scenario():
        started = time.monotonic()
        await asyncio.gather(*(_connect_and_boot(proc.port, unique_id("PACED")) for _ in range(30)))
        return time.monotonic() - started

    elapsed = run(scenario())
    # 30 admissions at 10 a second, a burst of a tenth of a second (two at once):
    # the last is admitted 2.8 s after the first.
    assert 2.5 <= elapsed < 15, f"30 upgrades took {elapsed:.2f} s"
    metrics = _metrics(proc)
    # All but the burst waited their turn, 100 ms apart: about 40 s of waiting in all.
    assert 20 <= metrics["ampere_ocpp_admission_waits_total"] <= 28, metrics
    assert metrics["ampere_ocpp_admission_wait_seconds_total"] > 10, metrics


def test_a_connection_that_would_wait_over_ten_seconds_is_turned_away_at_once(server_factory):
    """--max-connection-rate 1: of sixteen stations at once, two pass (the
    burst) and ten get a turn within ten seconds; the last four are answered
    503 at once instead of being kept waiting, and take no turn."""
    proc = server_factory("--max-connection-rate", "1")

    async def attempt(cp_id: str):
        started = time.monotonic()
        try:
            status, body = await support.upgrade_answer(proc.ws_url, cp_id, open_timeout=3)
        except TimeoutError:
            status, body = None, b""  # still waiting for its turn
        return status, time.monotonic() - started, body

    async def scenario():
        return await asyncio.gather(*(attempt(unique_id("BUSY")) for _ in range(16)))

    outcomes = run(scenario())
    statuses = [status for status, _, _ in outcomes]
    assert statuses.count(503) == 4, outcomes
    # A turn within the client's 3 s: the burst of two, then one a second.
    assert 2 <= statuses.count(101) <= 5, outcomes
    assert all(status in (101, 503, None) for status in statuses), outcomes
    for status, elapsed, body in outcomes:
        if status == 503:
            assert elapsed < 2, outcomes
            assert json.loads(body)["error"]["code"] == "busy", body
    metrics = _metrics(proc)
    assert metrics["ampere_ocpp_admission_refusals_total"] == 4, metrics


def test_shutdown_does_not_wait_for_connections_waiting_their_turn(server_factory):
    """SIGTERM with ten upgrades waiting for their turn (up to 10 s away at
    one a second): their waits end at once, so the server exits at once and
    none of them is left waiting — each is upgraded and closed with 1001 like
    every station, or closed as the server stops."""
    proc = server_factory("--max-connection-rate", "1")

    async def attempt(cp_id: str):
        try:
            return await support.upgrade_status(proc.ws_url, cp_id, open_timeout=20)
        except Exception as exc:  # the socket closed without an answer
            return type(exc).__name__

    async def scenario():
        attempts = [asyncio.ensure_future(attempt(unique_id("SHUT"))) for _ in range(12)]
        await asyncio.sleep(1.5)
        started = time.monotonic()
        code = await asyncio.get_running_loop().run_in_executor(None, proc.stop)
        return await asyncio.gather(*attempts), time.monotonic() - started, code

    statuses, stopping, code = run(scenario())
    assert code == 0, (code, proc.log_tail())
    assert stopping < 5, f"the server took {stopping:.1f} s to stop"
    assert "TimeoutError" not in statuses, statuses
    assert all(status == 101 or isinstance(status, str) for status in statuses), statuses


def test_connections_are_paced_by_default_and_zero_turns_pacing_off(server_factory):
    """Without --max-connection-rate the server paces (1,000 a second): its
    admission counters are exported; with 0 there is no pacing and no counter."""
    paced = server_factory()
    unpaced = server_factory("--max-connection-rate", "0")
    run(_connect_and_boot(paced.port, unique_id("DEFPACE")))
    run(_connect_and_boot(unpaced.port, unique_id("DEFPACE")))
    assert _metrics(paced).get("ampere_ocpp_admission_waits_total") == 0
    assert "ampere_ocpp_admission_waits_total" not in _metrics(unpaced)


async def _connect_and_boot(port: int, cp_id: str) -> None:
    """Upgrades, boots (Accepted within 20 s) and closes."""
    ws = await RawSocket.open(port, cp_id)
    try:
        await ws.send_text(_call("boot", "BootNotification", BOOT))
        assert (await ws.read_json(20))[2]["status"] == "Accepted"
    finally:
        ws.close()


def _metrics(proc) -> dict[str, float]:
    """The server's unlabelled Prometheus samples by name."""
    session = requests.Session()
    session.trust_env = False
    text = session.get(proc.base_url + "/metrics", timeout=10).text
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "{" not in line:
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples
