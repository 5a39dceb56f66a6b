"""The REST API's general rules: stations resource, list and error shapes,
and the OpenAPI document."""

import re
import urllib.parse

import pytest
import requests

from support import assert_error_body, list_items, station_path, unique_id

REQUIRED_ROUTES = {
    ("post", "/api/v1/auth/signin"),
    ("get", "/api/v1/charging-stations"),
    ("post", "/api/v1/charging-stations"),
    ("get", "/api/v1/charging-stations/{}"),
    ("put", "/api/v1/charging-stations/{}"),
    ("delete", "/api/v1/charging-stations/{}"),
    ("post", "/api/v1/charging-stations/{}/calls/{}"),
    ("post", "/api/v1/charging-stations/{}/remote-start"),
    ("post", "/api/v1/charging-stations/{}/remote-stop"),
    ("get", "/api/v1/charging-stations/{}/messages"),
    ("get", "/api/v1/charging-stations/{}/status-history"),
    ("get", "/api/v1/charging-stations/{}/events"),
    ("get", "/api/v1/tags"),
    ("post", "/api/v1/tags"),
    ("get", "/api/v1/tags/{}"),
    ("put", "/api/v1/tags/{}"),
    ("delete", "/api/v1/tags/{}"),
    ("get", "/api/v1/transactions"),
    ("get", "/api/v1/transactions/{}"),
    ("get", "/api/v1/transactions/{}/meter-values"),
}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def _openapi(server) -> dict:
    session = requests.Session()
    session.trust_env = False
    response = session.get(server + "/api/v1/openapi.json", timeout=10)
    assert response.status_code == 200, response.text[:300]
    return response.json()


def _documented(doc) -> set:
    prefix = ""
    servers = doc.get("servers") or []
    if servers and isinstance(servers[0], dict):
        prefix = urllib.parse.urlparse(servers[0].get("url", "")).path.rstrip("/")
    routes = set()
    for path, item in doc["paths"].items():
        full = path if path.startswith("/api/") or path in ("/healthz", "/metrics") else prefix + path
        normalized = re.sub(r"\{[^}]*\}", "{}", full)
        for method in item:
            if method.lower() in METHODS:
                routes.add((method.lower(), normalized))
    return routes


# -- OpenAPI -----------------------------------------------------------------------


def test_openapi_is_version_3_and_lists_every_route(server):
    doc = _openapi(server)
    assert str(doc.get("openapi", "")).startswith("3."), doc.get("openapi")
    assert isinstance(doc.get("info"), dict) and doc["info"].get("title") and doc["info"].get("version")
    missing = REQUIRED_ROUTES - _documented(doc)
    assert not missing, f"routes missing from the OpenAPI document: {sorted(missing)}"


def test_openapi_operations_have_responses_and_security(server):
    doc = _openapi(server)
    problems = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method.lower() not in METHODS:
                continue
            if not isinstance(operation, dict) or not operation.get("responses"):
                problems.append(f"{method} {path}: no responses")
    assert not problems, problems
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    assert any(
        isinstance(s, dict) and s.get("type") == "http" and str(s.get("scheme", "")).lower() == "bearer" for s in schemes.values()
    ), f"no bearer security scheme in {schemes}"


def test_every_documented_api_route_exists(api, server):
    """Each documented operation under /api/v1 is routed: with a token it
    never answers 405, and a 404 carries the contract's error body (a
    missing resource, not a missing route)."""
    problems = []
    for method, path in sorted(_documented(_openapi(server))):
        if not path.startswith("/api/v1/") or path.endswith("openapi.json") or path.endswith("/auth/signin"):
            continue
        concrete = path.replace("{}", "placeholder-0", 1).replace("{}", "Reset")
        body = {} if method in ("post", "put") else None
        response = api.request(method.upper(), concrete, json=body)
        if response.status_code == 405:
            problems.append(f"{method} {path}: 405")
        elif response.status_code == 404:
            try:
                assert_error_body(response)
            except AssertionError:
                problems.append(f"{method} {path}: 404 without the error body (route missing?)")
    assert not problems, "\n".join(problems)


# -- stations resource --------------------------------------------------------------


def test_create_station_is_201_and_duplicate_409(api):
    cp_id = unique_id("POST")
    response = api.post("/charging-stations", json={"id": cp_id})
    assert response.status_code == 201, response.text
    again = api.post("/charging-stations", json={"id": cp_id})
    assert again.status_code == 409, again.text
    assert_error_body(again)
    assert api.station(cp_id)["id"] == cp_id


@pytest.mark.parametrize(
    "body",
    [{"id": "X" * 49}, {}, {"id": ""}, {"id": 42}, {"id": "ok-" + "1", "password": 5}],
    ids=["49-chars", "missing", "empty", "number", "password-number"],
)
def test_bad_station_input_is_400(api, body):
    response = api.post("/charging-stations", json=body)
    assert response.status_code == 400, response.text
    assert_error_body(response)


def test_station_id_of_48_characters_can_be_created(api):
    cp_id = unique_id("POST48").ljust(48, "p")
    api.create_station(cp_id)
    assert api.station(cp_id)["id"] == cp_id


def test_station_with_special_characters_round_trips(api):
    cp_id = f"st:{unique_id('x')} a+b"
    api.create_station(cp_id)
    assert api.station(cp_id)["id"] == cp_id


def test_delete_station(api):
    cp_id = unique_id("DEL")
    api.create_station(cp_id)
    response = api.delete(station_path(cp_id))
    assert response.status_code in (200, 204), response.text
    assert api.get(station_path(cp_id)).status_code == 404
    response = api.delete(station_path(cp_id))
    assert response.status_code == 404
    assert_error_body(response)


def test_put_unknown_station_is_404(api):
    response = api.put(station_path(unique_id("NONE")), json={"registrationStatus": "Accepted"})
    assert response.status_code == 404
    assert_error_body(response)


def test_unknown_station_subresources_are_404(api):
    cp_id = unique_id("NONE")
    for suffix in ("", "/messages", "/status-history", "/events"):
        response = api.get(station_path(cp_id) + suffix)
        assert response.status_code == 404, (suffix, response.text)
        assert_error_body(response)


# -- list and error shapes ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/charging-stations", "/tags", "/transactions"])
def test_lists_honour_limit_and_offset(api, path):
    for n in range(3):
        if path == "/tags":
            api.create_tag(f"LO{unique_id('x')[-8:]}{n}")
        else:
            api.create_station(unique_id("LO"))
    body = api.get(path, params={"limit": 1000}).json()
    whole = list_items(body)
    assert body["total"] == len(whole)
    one = api.get(path, params={"limit": 1}).json()
    assert len(list_items(one)) == min(1, body["total"])
    assert one["total"] == body["total"]
    skipped = api.get(path, params={"offset": 1, "limit": 1000}).json()
    assert len(list_items(skipped)) == max(0, body["total"] - 1)


@pytest.mark.parametrize("params", [{"limit": "abc"}, {"offset": "x"}, {"limit": "-1"}, {"offset": "-5"}])
def test_bad_paging_parameters_are_400(api, params):
    response = api.get("/charging-stations", params=params)
    assert response.status_code == 400, response.text
    assert_error_body(response)


def test_bad_transaction_filters_are_400(api):
    response = api.get("/transactions", params={"active": "maybe"})
    assert response.status_code == 400, response.text
    assert_error_body(response)


def test_json_content_type(api):
    for path in ("/charging-stations", "/tags", "/transactions"):
        response = api.get(path)
        assert response.headers.get("Content-Type", "").startswith("application/json"), (path, response.headers)
    response = api.get(station_path(unique_id("NONE")))
    assert response.headers.get("Content-Type", "").startswith("application/json")


def test_unknown_api_route_is_404(api):
    response = api.get("/no-such-resource")
    assert response.status_code == 404
