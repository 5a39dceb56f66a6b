"""Fixtures of the server interop suites (test_server_*.py).

The server under test is `$AMPERE_BIN serve --host 127.0.0.1 --port <free>
--database <temporary file>` with AMPERE_ADMIN_EMAIL / AMPERE_ADMIN_PASSWORD
set. Without AMPERE_BIN (or with a path that is not an executable file)
every test that needs a server is skipped; the other suites in this folder
do not use these fixtures.
"""

from __future__ import annotations

import pytest

import support
from support import Api, ServerProcess


def _extra_args(module) -> list[str]:
    return list(getattr(module, "SERVER_ARGS", ()))


@pytest.fixture(scope="module")
def server_process(request, tmp_path_factory):
    """One server per test module; a module may set SERVER_ARGS = [...]."""
    binary = support.ampere_bin()
    workdir = tmp_path_factory.mktemp("ampere")
    server = ServerProcess(binary, workdir, workdir / "ampere.sqlite", _extra_args(request.module))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(server_process) -> str:
    """http://127.0.0.1:PORT of the module's server."""
    return server_process.base_url


@pytest.fixture(scope="module")
def ws_base(server_process) -> str:
    """ws://127.0.0.1:PORT of the module's server."""
    return server_process.ws_url


@pytest.fixture(scope="module")
def api(server) -> Api:
    """A REST client signed in as the super admin."""
    client = Api(server)
    client.signin()
    return client


@pytest.fixture
def server_factory(tmp_path):
    """Start extra servers with their own arguments; all stopped afterwards.

    factory(*extra_args, database=None, env=None, admin=True,
            standard_args=True, start=True) -> ServerProcess
    """
    binary = support.ampere_bin()
    started: list[ServerProcess] = []

    def factory(*extra_args: str, database=None, env=None, admin=True, standard_args=True, start=True) -> ServerProcess:
        db = database if database is not None else tmp_path / f"ampere-{len(started)}.sqlite"
        proc = ServerProcess(binary, tmp_path, db, extra_args, env=env, admin=admin, standard_args=standard_args)
        started.append(proc)
        if start:
            proc.start()
        return proc

    try:
        yield factory
    finally:
        for proc in started:
            proc.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and support.RUNNING_SERVERS:
        for proc in support.RUNNING_SERVERS:
            report.sections.append((f"server log tail ({proc.log_path.name if proc.log_path else '?'})", proc.log_tail()))
    return report
