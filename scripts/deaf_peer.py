#!/usr/bin/env python3
"""A charge point that sends Heartbeats without ever reading the answers, and the server's RSS
before and after: what one such peer costs the server (docs/PERFORMANCE.md, tenth session).

    scripts/deaf_peer.py PORT SERVER_PID [HEARTBEATS]   (default 1,000,000: about 37 MB)

Bounded: it stops when everything is sent, when the socket has taken nothing for 3 s, or after 30 s.
"""
import base64
import json
import os
import socket
import sys
import time


def rss_mib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))


def masked_text_frame(payload: bytes) -> bytes:
    mask = os.urandom(4)
    length = len(payload)
    head = bytes([0x81, 0x80 | length]) if length < 126 else bytes([0x81, 0x80 | 126]) + length.to_bytes(2, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def main() -> None:
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ocpp/DEAF-PEER HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    boot = [2, "boot", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]
    sock.sendall(masked_text_frame(json.dumps(boot).encode()))
    data = masked_text_frame(json.dumps([2, "hb", "Heartbeat", {}]).encode()) * count
    before = rss_mib(pid)
    sock.setblocking(False)
    sent, started, progress = 0, time.monotonic(), time.monotonic()
    while sent < len(data) and time.monotonic() - started < 30 and time.monotonic() - progress < 3:
        try:
            sent += sock.send(memoryview(data)[sent : sent + 65536])
            progress = time.monotonic()
        except BlockingIOError:
            time.sleep(0.01)
    time.sleep(2)
    print(f"sent {sent:,} of {len(data):,} bytes ({sent / len(data):.0%}); server RSS {before} -> {rss_mib(pid)} MiB")
    sock.close()


if __name__ == "__main__":
    main()
