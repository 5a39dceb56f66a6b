"""`ampere sim` on `wss://`: nginx from Debian terminates TLS in front of `ampere serve`
with a self-signed certificate made here, and the simulator's charge points get in only when
they are told to trust it (`--ca-file`), as chargers are given their operator's CA.

Needs nginx and the openssl command (the README's test command installs both); skipped
otherwise.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import ampere_bin, free_port, unique_id

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
OPENSSL = shutil.which("openssl")
# The README's test command sets AMPERE_REQUIRE_TLS=1: there a missing part is a failure, not a skip.
if os.environ.get("AMPERE_REQUIRE_TLS") == "1":
    assert NGINX and OPENSSL, "the wss:// test needs nginx and openssl"
pytestmark = pytest.mark.skipif(NGINX is None or OPENSSL is None, reason="needs nginx and openssl")

CONFIG = """
{user}
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }}
    }}
}}
"""


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


@contextlib.contextmanager
def tls_proxy(folder: Path, upstream: int, cert: Path, key: Path):
    prefix = folder / "nginx"
    prefix.mkdir()
    port = free_port()
    config = prefix / "nginx.conf"
    config.write_text(CONFIG.format(
        user="user root;" if os.geteuid() == 0 else "", prefix=prefix, port=port, upstream=upstream,
        cert=cert, key=key))
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(config)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        yield port
    finally:
        nginx.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            nginx.wait(10)
        if nginx.poll() is None:
            nginx.kill()


def simulate(url: str, prefix: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ampere_bin(), "sim", "--url", url, "--count", "2", "--duration", "4", "--status-interval", "1",
         "--id-prefix", prefix, *extra],
        capture_output=True, text=True, timeout=60,
    )


def summary(result: subprocess.CompletedProcess, line: str) -> int:
    match = re.search(rf"^{line}\s+(\d+)$", result.stdout, re.MULTILINE)
    assert match, f"no '{line}' in:\n{result.stdout}\n{result.stderr}"
    return int(match.group(1))


def test_sim_reaches_a_wss_endpoint_only_when_it_trusts_its_certificate(server_factory, tmp_path):
    server = server_factory()
    cert, key = self_signed(tmp_path)
    with tls_proxy(tmp_path, server.port, cert, key) as port:
        # A name, as the certificate holds: TLS's server name may not be an IP address.
        url = f"wss://localhost:{port}/ocpp"
        trusted_prefix = unique_id("TLS")
        trusted = simulate(url, trusted_prefix, "--ca-file", str(cert))
        assert trusted.returncode == 0, trusted.stderr
        assert summary(trusted, "boots accepted") >= 2
        assert summary(trusted, "connection failures") == 0
        api = server.api()
        for index in (1, 2):
            station = api.get(f"/charging-stations/{trusted_prefix}-0000{index}").json()
            assert station["lastSeen"] is not None, station

        # The system's trust roots do not hold a certificate made a moment ago.
        untrusted = simulate(url, unique_id("TLS-NO"))
        assert summary(untrusted, "boots accepted") == 0
        assert summary(untrusted, "connection failures") >= 2

        by_address = simulate(f"wss://127.0.0.1:{port}/ocpp", unique_id("TLS-IP"), "--ca-file", str(cert))
        assert by_address.returncode != 0
        assert "not an IP address" in by_address.stderr, by_address.stderr

    not_pem = tmp_path / "not.pem"
    not_pem.write_text("not a certificate\n")
    refused = simulate(url, unique_id("TLS-BAD"), "--ca-file", str(not_pem))
    assert refused.returncode != 0
    assert "--ca-file" in refused.stderr and str(not_pem) in refused.stderr, refused.stderr
