#!/usr/bin/env python3
"""How long a server takes to answer one Heartbeat sent in one-byte WebSocket fragments.

    python3 scripts/diagnostics/fragmented_message.py PORT [PADDING]

Connects to ws://127.0.0.1:PORT/ocpp/FRAG1 (open registration), sends
`[2,"1","Heartbeat",{}` + PADDING spaces + `]` (default 200,000) as one text
message of one-byte fragments in a single write, and prints the seconds until the
answer: the time the server's event loop spends joining them. How
docs/PERFORMANCE.md's twenty-eighth-session fragments figure was taken. Loopback
only; gives up after 120 s.
"""
import base64
import os
import socket
import struct
import sys
import time


def client_frame(opcode: int, payload: bytes, fin: bool) -> bytes:
    """A masked client frame (RFC 6455 §5.2)."""
    mask = os.urandom(4)
    header = bytes([(0x80 if fin else 0) | opcode])
    length = len(payload)
    header += bytes([0x80 | length]) if length < 126 else bytes([0x80 | 126]) + struct.pack(">H", length)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def main() -> None:
    port = int(sys.argv[1])
    padding = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    sock = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ocpp/FRAG1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(4096)
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        sys.exit(f"upgrade refused: {head.splitlines()[0]!r}")
    message = b'[2,"1","Heartbeat",{}' + b" " * padding + b"]"
    last = len(message) - 1
    data = b"".join(client_frame(1 if i == 0 else 0, message[i : i + 1], i == last) for i in range(len(message)))
    started = time.monotonic()
    sock.sendall(data)
    sock.settimeout(120)
    answer = sock.recv(65536)
    print(f"{len(message)} bytes in {len(message)} fragments: answered after {time.monotonic() - started:.2f} s: {answer[2:60]!r}")


if __name__ == "__main__":
    main()
