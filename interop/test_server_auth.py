"""REST authentication: sign-in, bearer tokens on every /api/v1 route but
sign-in and the OpenAPI document, and the first admin account."""

import re

import pytest
import requests

from support import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Api,
    assert_error_body,
    station_path,
    tag_path,
    tampered_tokens,
    unique_id,
    unique_tag,
)


def _protected_routes(cp_id: str, id_tag: str) -> list[tuple[str, str, dict | None]]:
    station = station_path(cp_id)
    return [
        ("GET", "/charging-stations", None),
        ("POST", "/charging-stations", {"id": unique_id("UNAUTH")}),
        ("GET", station, None),
        ("PUT", station, {"registrationStatus": "Rejected"}),
        ("DELETE", station, None),
        ("POST", f"{station}/calls/Reset", {"type": "Soft"}),
        ("POST", f"{station}/remote-start", {"idTag": "X"}),
        ("POST", f"{station}/remote-stop", {"transactionId": 1}),
        ("GET", f"{station}/messages", None),
        ("GET", f"{station}/status-history", None),
        ("GET", f"{station}/events", None),
        ("GET", "/tags", None),
        ("POST", "/tags", {"idTag": unique_tag("U"), "status": "Accepted"}),
        ("GET", tag_path(id_tag), None),
        ("PUT", tag_path(id_tag), {"status": "Blocked"}),
        ("DELETE", tag_path(id_tag), None),
        ("GET", "/transactions", None),
        ("GET", "/transactions/1", None),
        ("GET", "/transactions/1/meter-values", None),
    ]


@pytest.fixture(scope="module")
def fixtures_ids(api):
    cp_id = unique_id("SEC")
    id_tag = unique_tag("SEC")
    api.create_station(cp_id)
    api.create_tag(id_tag, "Accepted")
    return cp_id, id_tag


def _assert_untouched(api, cp_id, id_tag):
    station = api.station(cp_id)
    assert station["registrationStatus"] == "Accepted", "an unauthenticated PUT changed the station"
    tag = api.get(tag_path(id_tag))
    assert tag.status_code == 200 and tag.json()["status"] == "Accepted", "an unauthenticated call changed the tag"
    listed = {s["id"] for s in api.get("/charging-stations", params={"limit": 1000}).json()["items"]}
    assert not any(s.startswith("UNAUTH-") for s in listed), "an unauthenticated POST created a station"


# -- sign-in ---------------------------------------------------------------------


def test_signin_returns_a_token(server):
    client = Api(server)
    response = client.post("/auth/signin", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, auth=False)
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    assert isinstance(token, str) and len(token) >= 16
    client.token = token
    assert client.get("/charging-stations").status_code == 200


@pytest.mark.parametrize(
    "email,password",
    [
        (ADMIN_EMAIL, ADMIN_PASSWORD + "x"),
        (ADMIN_EMAIL, ""),
        (ADMIN_EMAIL, ADMIN_PASSWORD.upper()),
        ("nobody@example.com", ADMIN_PASSWORD),
        ("admin@localhost", ADMIN_PASSWORD),
    ],
    ids=["wrong-password", "empty-password", "password-case", "unknown-email", "other-admin"],
)
def test_bad_credentials_get_401(server, email, password):
    response = Api(server).post("/auth/signin", json={"email": email, "password": password}, auth=False)
    assert response.status_code == 401, response.text
    assert_error_body(response)
    assert "token" not in response.text


@pytest.mark.parametrize(
    "body", [{}, {"email": ADMIN_EMAIL}, {"password": ADMIN_PASSWORD}, "not json"], ids=["empty", "no-password", "no-email", "not-json"]
)
def test_incomplete_signin_is_refused(server, body):
    client = Api(server)
    if isinstance(body, str):
        response = client.post("/auth/signin", data=body, headers={"Content-Type": "application/json"}, auth=False)
    else:
        response = client.post("/auth/signin", json=body, auth=False)
    assert response.status_code in (400, 401), response.text
    assert_error_body(response)


# -- bearer tokens on every route -----------------------------------------------------


def test_every_protected_route_needs_a_token(api, server, fixtures_ids):
    cp_id, id_tag = fixtures_ids
    anonymous = Api(server)
    failures = []
    for method, path, body in _protected_routes(cp_id, id_tag):
        response = anonymous.request(method, path, json=body, auth=False)
        if response.status_code != 401:
            failures.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            continue
        try:
            assert_error_body(response)
        except AssertionError as exc:
            failures.append(f"{method} {path}: {exc}")
    assert not failures, "\n".join(failures)
    _assert_untouched(api, cp_id, id_tag)


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Bearer not-a-token", "Bearer a.b.c", "Basic YWRtaW46YWRtaW4=", "Token abc", "bearer"],
    ids=["no-token", "empty-token", "garbage", "fake-jwt", "basic", "other-scheme", "lowercase-no-token"],
)
def test_malformed_authorization_headers_get_401(api, server, fixtures_ids, header):
    cp_id, id_tag = fixtures_ids
    anonymous = Api(server)
    failures = []
    for method, path, body in _protected_routes(cp_id, id_tag):
        response = anonymous.request(method, path, json=body, headers={"Authorization": header}, auth=False)
        if response.status_code != 401:
            failures.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)
    _assert_untouched(api, cp_id, id_tag)


def test_tampered_tokens_get_401(api, server, fixtures_ids):
    cp_id, id_tag = fixtures_ids
    variants = tampered_tokens(api.token)
    assert variants
    failures = []
    for name, token in variants.items():
        client = Api(server, token=token)
        for method, path, body in _protected_routes(cp_id, id_tag):
            response = client.request(method, path, json=body)
            if response.status_code != 401:
                failures.append(f"{name}: {method} {path}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)
    _assert_untouched(api, cp_id, id_tag)


def test_token_works_for_many_requests_and_new_signins(server):
    first = Api(server)
    first.signin()
    second = Api(server)
    second.signin()
    for _ in range(5):
        assert first.get("/tags").status_code == 200
        assert second.get("/charging-stations").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/healthz", "/metrics"])
def test_public_routes_need_no_token(server, path):
    session = requests.Session()
    session.trust_env = False
    response = session.get(server + path, timeout=10)
    assert response.status_code == 200, response.text[:300]


# -- the first admin account -------------------------------------------------------------

_CANDIDATE = re.compile(r"[^\s'\"`,;:()\[\]{}<>]{8,}")


def _password_candidates(log: str) -> list[str]:
    words = []
    for line in log.splitlines():
        if "password" in line.lower() or "admin@localhost" in line:
            for token in _CANDIDATE.findall(line):
                if token not in words:
                    words.append(token)
    return words


def _signin_with_any(server, candidates):
    for candidate in candidates:
        response = Api(server).post("/auth/signin", json={"email": "admin@localhost", "password": candidate}, auth=False)
        if response.status_code == 200:
            return candidate
    return None


def test_first_start_without_admin_env_prints_a_random_password(server_factory):
    proc = server_factory(admin=False)
    log = proc.log_text()
    candidates = _password_candidates(log)
    password = _signin_with_any(proc.base_url, candidates)
    assert password, f"no printed password signs in as admin@localhost; log:\n{log[-3000:]}"
    assert password.lower() not in ("admin", "password", "admin@localhost")

    proc.restart()
    second_log = proc.log_text()
    assert password not in second_log, "the password was printed again on the second start"
    client = Api(proc.base_url)
    client.signin("admin@localhost", password)
    assert client.get("/charging-stations").status_code == 200


def test_random_passwords_differ_between_databases(server_factory):
    first = server_factory(admin=False)
    second = server_factory(admin=False)
    p1 = _signin_with_any(first.base_url, _password_candidates(first.log_text()))
    p2 = _signin_with_any(second.base_url, _password_candidates(second.log_text()))
    assert p1 and p2
    assert p1 != p2, "the first admin password is not random"


def test_admin_env_only_applies_on_first_start(server_factory):
    proc = server_factory(admin=("first@example.com", "First-pass-123"))
    proc.api()  # signs in as the first admin
    proc.stop()
    proc.admin = ("second@example.com", "Second-pass-456")
    proc.start()
    refused = Api(proc.base_url).post(
        "/auth/signin", json={"email": "second@example.com", "password": "Second-pass-456"}, auth=False
    )
    assert refused.status_code == 401, "a second admin was created although users exist"
    client = Api(proc.base_url)
    client.signin("first@example.com", "First-pass-123")
    assert client.get("/tags").status_code == 200
