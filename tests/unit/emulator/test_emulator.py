# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the Fabric-ep emulator (fabric_emulator/), served in-process on a free port."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import time

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.dataarts.tests.unit.emulator.emulator_support import CANARY, DEMO, SHAPE, SPACED, WS, run_cli, running_cli
from fabric_emulator.server import Emulator, Request

DEMO_SOURCE = {"id": "3f2a4c1e9b8d4e6f8a7b6c5d4e3f2a1b", "version_id": "7c6b5a4d3e2f41a0b9c8d7e6f5a4b3c2"}
ENDPOINT = "0b5633ba2b904511ad514346f4d23d4b"
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
BAD_INPUT = "common.01000001"
NOT_FOUND_BODY = {"error_code": "common.01000001", "error_msg": "response status exception, code: 404"}


def deploy_body(**overrides):
    body = {
        "source": {"id": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "version_id": "0f9e8d7c6b5a49382716051a2b3c4d5e"},
        "name": "new-llm",
        "description": "created by a test",
        "endpoint_id": ENDPOINT,
        "config": {"model_instance_config": {"resource": {"min": 1, "max": 3, "spec_code": "mu.llama3.8b"}}},
    }
    body.update(overrides)
    return body


def resource_body(minimum=1, maximum=2):
    return {"config": {"model_instance_config": {"resource": {"min": minimum, "max": maximum}}}}


def assert_bad_input(response, fragment=None):
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_code"] == BAD_INPUT
    if fragment is not None:
        assert fragment in body["error_msg"], body["error_msg"]
    return body


def names(response):
    return [item["name"] for item in response.json()["service_instances"]]


def add_bulk(client, count, **fields):
    """``count`` instances named bulk-00, bulk-01, ... with these fields: their ids."""
    return client.add_instances(*[dict(fields, name="bulk-%02d" % index) for index in range(count)])


# ----------------------------------------------------------------------------- List
def test_list_default_shape_and_order(client):
    response = client.list()
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])
    body = response.json()
    assert set(body) == {"total", "service_instances"}
    assert body["total"] == 3
    # newest first: the seed lists the oldest first
    assert [item["id"] for item in body["service_instances"]] == [SPACED, CANARY, DEMO]
    for item in body["service_instances"]:
        assert list(item) == SHAPE
        assert TIME_RE.match(item["create_time"]) and TIME_RE.match(item["update_time"])
        assert item["status"] == "RUNNING" and item["type"] == "LLM_MODEL"
        assert item["error_code"] is None and item["error_msg"] is None
        assert isinstance(item["duration"], int)
    assert names(client.list({"order_by": "ASC"})) == ["demo-llm", "demo-llm-canary", "Demo Chat Assistant"]
    assert client.list({"sort_by": "CREATE_TIME", "order_by": "DESC"}).json()["service_instances"][0]["id"] == SPACED


def test_list_paging(client):
    add_bulk(client, 25)
    first = client.list().json()
    assert first["total"] == 28 and len(first["service_instances"]) == 10
    assert first["service_instances"][0]["name"] == "bulk-24"
    seen = []
    for offset in range(0, 28, 7):
        page = client.list({"limit": 7, "offset": offset}).json()
        assert page["total"] == 28
        seen.extend(item["id"] for item in page["service_instances"])
    assert len(seen) == 28 and len(set(seen)) == 28
    assert len(client.list({"limit": 100}).json()["service_instances"]) == 28
    past = client.list({"offset": 1000}).json()
    assert past == {"total": 28, "service_instances": []}
    assert client.list({"limit": 1, "offset": 27, "order_by": "ASC"}).json()["service_instances"][0]["name"] == "bulk-24"


def test_list_name_filter_is_case_sensitive_substring(client):
    response = client.list({"name": "demo-llm"})
    assert response.json()["total"] == 2
    assert sorted(names(response)) == ["demo-llm", "demo-llm-canary"]
    assert client.list({"name": "canary"}).json()["total"] == 1
    assert client.list({"name": "DEMO-LLM"}).json()["total"] == 0
    assert client.list({"name": "Demo"}).json()["total"] == 1


@pytest.mark.parametrize("value", ["Demo Chat", "demo_llm", "a" * 37, "", "demo.llm", "x\n"])
def test_list_name_filter_outside_documented_charset_is_rejected(client, value):
    assert_bad_input(client.list({"name": value}), "name")


def test_list_exact_filters(client):
    assert names(client.list({"id": DEMO})) == ["demo-llm"]
    assert client.list({"endpoint_id": ENDPOINT}).json()["total"] == 2
    assert client.list({"source_id": DEMO_SOURCE["id"]}).json()["total"] == 2
    assert client.list({"version_id": DEMO_SOURCE["version_id"], "name": "canary"}).json()["total"] == 1
    assert names(client.list({"visibility": "PUBLIC"})) == ["Demo Chat Assistant"]
    assert client.list({"visibility": "PRIVATE"}).json()["total"] == 2
    assert client.list({"type": "LLM_MODEL"}).json()["total"] == 3
    assert client.list({"type": "PGSQL_SERVICE"}).json()["total"] == 0
    assert client.list({"id": "no-such-id"}).json() == {"total": 0, "service_instances": []}


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"limit": ""},
        {"offset": "-1"},
        {"offset": "1000000001"},
        {"offset": "1.5"},
        {"order_by": "UP"},
        {"order_by": "asc"},
        {"type": "OTHER"},
        {"visibility": "SHARED"},
        {"id": "bad/id"},
        {"endpoint_id": "e" * 37},
        {"source_id": "a b"},
        {"version_id": "v_1"},
    ],
)
def test_list_invalid_query(client, params):
    assert_bad_input(client.list(params))


def test_list_limits_accept_bounds(client):
    assert client.list({"limit": "1"}).status_code == 200
    assert client.list({"limit": "100", "offset": "1000000000"}).json()["service_instances"] == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 100), offset=st.integers(0, 40), ascending=st.booleans())
def test_list_pages_are_slices_of_the_full_ordering(client, limit, offset, ascending):
    if client.emulator.state.instances.get("bulk-marker") is None:
        client.emulator.state.reset()
        add_bulk(client, 30)
        client.control("POST", "instances", {"id": "bulk-marker", "name": "marker"})
    order = "ASC" if ascending else "DESC"
    full = [item["id"] for item in client.list({"limit": 100, "order_by": order}).json()["service_instances"]]
    page = client.list({"limit": limit, "offset": offset, "order_by": order}).json()
    assert page["total"] == len(full) == 34
    assert [item["id"] for item in page["service_instances"]] == full[offset : offset + limit]


def test_list_is_scoped_to_the_workspace(client):
    add_bulk(client, 2, workspace_id="ws-other")
    assert client.list().json()["total"] == 3
    assert client.request("GET", client.instances("ws-other")).json()["total"] == 2


# ----------------------------------------------------------------------------- Show
def test_show_full_detail(client):
    response = client.show(DEMO)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == SHAPE
    assert body["name"] == "demo-llm" and body["description"] == "demo instance"
    assert body["source"] == DEMO_SOURCE and body["endpoint_id"] == ENDPOINT
    assert body["config"] == {"model_instance_config": {"resource": {"min": 1, "max": 2, "spec_code": "mu.llama3.8b"}}}
    assert body["create_user"] == {"domain_name": "demo-domain", "user_name": "demo-user"}
    assert body["visibility"] == "PRIVATE"
    assert body["create_time"] == body["update_time"]
    assert TIME_RE.match(body["create_time"])


def test_show_errors(client):
    response = client.show("00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.json() == NOT_FOUND_BODY
    assert "X-Request-Id" in response.headers
    assert client.request("GET", client.instance(DEMO, "ws-other")).status_code == 404
    assert_bad_input(client.show("x" * 37), "instance_id")
    assert_bad_input(client.show("bad_id"), "instance_id")
    assert_bad_input(client.request("GET", client.instance(DEMO, "ws.bad")), "workspace_id")
    unknown = client.request("GET", client.instance(DEMO, "ws-missing"))
    assert unknown.status_code == 400
    assert unknown.json() == {
        "error_code": "dataartsfabric.00010003",
        "error_msg": "Workspace not exist.",
        "solution_msg": "Create a workspace first.",
    }
    assert client.request("GET", client.instances("ws-missing")).status_code == 400
    for method, path in (("GET", "/v1/nothing"), ("PATCH", client.instance(DEMO)), ("GET", "/other"), ("POST", client.instance(DEMO))):
        response = client.request(method, path)
        assert response.status_code == 404 and response.json() == NOT_FOUND_BODY, (method, path)
        assert response.headers["Content-Type"] == "application/json"


# ----------------------------------------------------------------------------- Update
def test_update_lifecycle(client, emulator):
    before = client.show(DEMO).json()
    time.sleep(0.01)
    response = client.update(DEMO, dict(resource_body(1, 5), name="demo-llm-2", description="changed"))
    assert response.status_code == 202
    assert response.json() == {"id": DEMO}
    during = client.show(DEMO).json()
    assert during["status"] == "UPDATING"
    assert during["name"] == "demo-llm"  # applied only when the update completes
    assert during["update_time"] > before["update_time"]
    after = client.wait_status(DEMO, "RUNNING").json()
    assert after["name"] == "demo-llm-2" and after["description"] == "changed"
    assert after["config"]["model_instance_config"]["resource"] == {"min": 1, "max": 5, "spec_code": "mu.llama3.8b"}
    assert after["update_time"] > during["update_time"]
    assert after["create_time"] == before["create_time"]
    with emulator.state.lock:
        events = [(e["from"], e["to"]) for e in emulator.state.events if e["instance_id"] == DEMO]
    assert events == [("RUNNING", "UPDATING"), ("UPDATING", "RUNNING")]


def test_update_partial_and_empty(client):
    assert client.update(DEMO, {"description": ""}).status_code == 202
    assert client.wait_status(DEMO, "RUNNING").json()["description"] == ""
    assert client.update(DEMO, {}).status_code == 202
    body = client.wait_status(DEMO, "RUNNING").json()
    assert body["name"] == "demo-llm"
    assert client.update(DEMO, {"name": None, "source": DEMO_SOURCE}).status_code == 202
    assert client.wait_status(DEMO, "RUNNING").json()["source"] == DEMO_SOURCE
    assert client.update(DEMO, {"name": "\u63a8\u7406 service_1.0"}).status_code == 202
    assert client.wait_status(DEMO, "RUNNING").json()["name"] == "\u63a8\u7406 service_1.0"


def test_update_refused_while_transitional(client):
    assert client.update(DEMO, {"name": "one"}).status_code == 202
    assert_bad_input(client.update(DEMO, {"name": "two"}), "UPDATING")
    client.wait_status(DEMO, "RUNNING")
    client.control("PATCH", "instances/" + DEMO, {"status": "CREATING"})
    assert_bad_input(client.update(DEMO, {"name": "two"}), "CREATING")


def test_update_refuses_min_and_model_version_changes(client):
    assert_bad_input(client.update(DEMO, resource_body(2, 2)), "minimum number of instances")
    assert_bad_input(client.update(DEMO, {"source": dict(DEMO_SOURCE, version_id="ffffffffffffffffffffffffffffffff")}), "model version")
    assert_bad_input(client.update(DEMO, {"source": {"id": "another-model"}}), "model version")
    assert client.show(DEMO).json()["status"] == "RUNNING"
    assert client.update(DEMO, resource_body(1, 1)).status_code == 202
    assert client.update(SPACED, {"source": {"id": "8e4f2a6c0b9d4f1e3a5c7e9b1d3f5a7c"}}).status_code == 202


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"name": ""}, "name"),
        ({"name": "n" * 65}, "name"),
        ({"name": "bad/name"}, "name"),
        ({"name": "bad\nname"}, "name"),
        ({"name": 5}, "Type mismatch"),
        ({"description": "d" * 1025}, "description"),
        ({"description": "a!b"}, "description"),
        ({"description": "a<b"}, "description"),
        ({"description": "a>b"}, "description"),
        ({"description": "a=b"}, "description"),
        ({"description": "a&b"}, "description"),
        ({"description": "a'b"}, "description"),
        ({"description": 'a"b'}, "description"),
        ({"description": ["x"]}, "Type mismatch"),
        ({"source": {}}, "source.id"),
        ({"source": {"version_id": DEMO_SOURCE["version_id"]}}, "source.id"),
        ({"source": {"id": "bad id"}}, "source.id"),
        ({"source": {"id": DEMO_SOURCE["id"], "version_id": "v" * 37}}, "source.version_id"),
        ({"source": "model"}, "Type mismatch"),
        ({"config": {"model_instance_config": {}}}, "resource"),
        ({"config": {"model_instance_config": {"resource": {"min": 1}}}}, ".max"),
        ({"config": {"model_instance_config": {"resource": {"max": 2}}}}, ".min"),
        (resource_body(1, 0), ".max"),
        (resource_body(1, 1001), ".max"),
        (resource_body(0, 2), ".min"),
        (resource_body(3, 2), ".max"),
        (resource_body(1, "2"), "Type mismatch"),
        (resource_body(1, 2.0), "Type mismatch"),
        (resource_body(True, 2), "Type mismatch"),
        ({"config": {"model_instance_config": {"resource": {"min": 1, "max": 2, "spec_code": "mu.x"}}}}, "Unrecognized field"),
        ({"config": {"pgsql_instance_config": {}}}, "Unrecognized field"),
        ({"config": []}, "Type mismatch"),
        ({"endpoint_id": ENDPOINT}, 'Unrecognized field "endpoint_id"'),
        ({"status": "RUNNING"}, "Unrecognized field"),
    ],
)
def test_update_validation(client, body, fragment):
    assert_bad_input(client.update(DEMO, body), fragment)
    assert client.show(DEMO).json()["status"] == "RUNNING"


def test_update_accepts_bounds(client):
    assert client.update(DEMO, dict(resource_body(1, 1000), name="n" * 64, description="d" * 1024)).status_code == 202


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b'{"name": ', "JSON parse error"),
        (b"", "Required request body is missing"),
        (b'["name"]', "Type mismatch"),
        (b"\xff\xfe", "JSON parse error"),
    ],
)
def test_update_unreadable_body(client, data, fragment):
    response = client.request("PUT", client.instance(DEMO), data=data, headers={"Content-Type": "application/json"})
    body = assert_bad_input(response, fragment)
    assert body["error_msg"].startswith("failed to read http request, please check your input, code: 400, reason: ")


def test_update_unknown_instance(client):
    response = client.update("00000000-0000-0000-0000-000000000000", {"name": "x"})
    assert response.status_code == 404 and response.json() == NOT_FOUND_BODY


def test_stale_reads_after_update(client):
    client.configure(stale_reads=2)
    before = client.show(DEMO).json()
    assert client.update(DEMO, {"name": "renamed"}).status_code == 202
    assert client.show(DEMO).json() == before
    listed = [item for item in client.list().json()["service_instances"] if item["id"] == DEMO]
    assert listed == [before]
    third = client.show(DEMO).json()
    assert third["status"] == "UPDATING" and third["update_time"] > before["update_time"]
    assert client.wait_status(DEMO, "RUNNING").json()["name"] == "renamed"


def test_stale_reads_only_consumed_when_shown(client):
    client.configure(stale_reads=1, update_seconds=0)
    assert client.update(DEMO, {"name": "renamed"}).status_code == 202
    assert client.list({"name": "canary"}).json()["total"] == 1  # does not show DEMO: nothing consumed
    assert client.show(DEMO).json()["name"] == "demo-llm"
    assert client.show(DEMO).json()["name"] == "renamed"


def test_failed_update(client):
    client.configure(fail_next_update={"error_code": "dataartsfabric.00099999", "error_msg": "resource quota exceeded"})
    assert client.update(DEMO, dict(resource_body(1, 9), name="will-fail")).status_code == 202
    failed = client.wait_status(DEMO, "FAILED").json()
    assert failed["error_code"] == "dataartsfabric.00099999" and failed["error_msg"] == "resource quota exceeded"
    assert failed["name"] == "demo-llm" and failed["config"]["model_instance_config"]["resource"]["max"] == 2
    assert client.control("GET", "config").json()["fail_next_update"] is None  # one shot
    assert client.update(DEMO, {"name": "recovered"}).status_code == 202
    recovered = client.wait_status(DEMO, "RUNNING").json()
    assert recovered["name"] == "recovered" and recovered["error_code"] is None and recovered["error_msg"] is None


# ----------------------------------------------------------------------------- Deploy
def test_deploy_lifecycle(client):
    response = client.deploy(deploy_body())
    assert response.status_code == 202
    new_id = response.json()["id"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", new_id)
    creating = client.show(new_id).json()
    assert creating["status"] == "CREATING"
    running = client.wait_status(new_id, "RUNNING").json()
    assert list(running) == SHAPE
    assert running["name"] == "new-llm" and running["description"] == "created by a test"
    assert running["endpoint_id"] == ENDPOINT and running["visibility"] == "PRIVATE" and running["type"] == "LLM_MODEL"
    assert running["config"]["model_instance_config"]["resource"] == {"min": 1, "max": 3, "spec_code": "mu.llama3.8b"}
    assert running["update_time"] >= creating["update_time"]
    listed = client.list().json()
    assert listed["total"] == 4 and listed["service_instances"][0]["id"] == new_id
    # names need not be unique
    assert client.deploy(deploy_body(name="demo-llm")).status_code == 202
    assert client.list({"name": "demo-llm"}).json()["total"] == 3


def test_deploy_minimal_body(client):
    body = deploy_body(source={"id": "model-1"})
    del body["description"]
    response = client.deploy(body)
    assert response.status_code == 202
    shown = client.show(response.json()["id"]).json()
    assert shown["description"] == "" and shown["source"] == {"id": "model-1", "version_id": None}


def test_failed_deploy(client):
    client.configure(fail_next_deploy=True)
    new_id = client.deploy(deploy_body()).json()["id"]
    failed = client.wait_status(new_id, "FAILED").json()
    assert failed["error_code"] and failed["error_msg"]
    second = client.deploy(deploy_body()).json()["id"]
    assert client.wait_status(second, "RUNNING").json()["error_code"] is None


def _without(key):
    body = deploy_body()
    del body[key]
    return body


@pytest.mark.parametrize(
    "body, fragment",
    [
        (_without("name"), "name is required"),
        (_without("source"), "source is required"),
        (_without("endpoint_id"), "endpoint_id is required"),
        (_without("config"), "config is required"),
        (deploy_body(source={"version_id": "abc"}), "source.id is required"),
        (deploy_body(name="bad|name"), "name"),
        (deploy_body(name=""), "name"),
        (deploy_body(description="no & please"), "description"),
        (deploy_body(endpoint_id="bad endpoint"), "endpoint_id"),
        (deploy_body(config={}), "model_instance_config is required"),
        (deploy_body(config={"model_instance_config": {}}), "resource is required"),
        (deploy_body(config={"model_instance_config": {"resource": {"min": 1, "max": 2}}}), "spec_code is required"),
        (deploy_body(config={"model_instance_config": {"resource": {"min": 1, "max": 2, "spec_code": ""}}}), "spec_code"),
        (deploy_body(config={"model_instance_config": {"resource": {"min": 3, "max": 2, "spec_code": "s"}}}), ".max"),
        (deploy_body(config={"model_instance_config": {"resource": {"min": 1, "max": 1001, "spec_code": "s"}}}), ".max"),
        (deploy_body(config={"model_instance_config": {"resource": {"min": 0, "max": 1, "spec_code": "s"}}}), ".min"),
        (deploy_body(config={"model_instance_config": {"resource": {"min": "1", "max": 1, "spec_code": "s"}}}), "Type mismatch"),
        (deploy_body(extra=True), "Unrecognized field"),
    ],
)
def test_deploy_validation(client, body, fragment):
    assert_bad_input(client.deploy(body), fragment)
    assert client.list().json()["total"] == 3


def test_deploy_unknown_workspace(client):
    response = client.request("POST", client.instances("ws-missing"), json=deploy_body())
    assert response.status_code == 400 and response.json()["error_code"] == "dataartsfabric.00010003"


# ----------------------------------------------------------------------------- Delete
def test_delete_gone(client, emulator):
    response = client.delete(DEMO)
    assert response.status_code == 202 and response.json() == {"id": DEMO}
    assert client.show(DEMO).json()["status"] == "DELETING"
    assert client.delete(DEMO).status_code == 202  # repeated while deleting
    assert_bad_input(client.update(DEMO, {"name": "x"}), "DELETING")
    response = client.wait_status(DEMO, 404)
    assert response.json() == NOT_FOUND_BODY
    assert client.list().json()["total"] == 2
    assert client.delete(DEMO).status_code == 404
    with emulator.state.lock:
        events = [(e["from"], e["to"]) for e in emulator.state.events if e["instance_id"] == DEMO]
    assert events == [("RUNNING", "DELETING"), ("DELETING", None)]


def test_delete_deleted_mode(client):
    client.configure(delete_mode="deleted")
    assert client.delete(DEMO).status_code == 202
    client.wait_status(DEMO, "DELETED")
    listed = client.list().json()
    assert listed["total"] == 3
    assert [item["status"] for item in listed["service_instances"] if item["id"] == DEMO] == ["DELETED"]
    assert client.delete(DEMO).status_code == 404
    assert_bad_input(client.update(DEMO, {"name": "x"}), "DELETED")


# ----------------------------------------------------------------------------- Auth
def test_token_auth(client):
    client.configure(tokens=["secret-token-1", "secret-token-2"])
    for headers in ({}, {"X-Auth-Token": "wrong"}, {"X-Auth-Token": ""}):
        response = client.list(headers=headers)
        assert response.status_code == 401
        assert response.json() == {"error_code": "APIG.1002", "error_msg": "Incorrect token or token resolution failed"}
        assert "X-Request-Id" in response.headers
    assert client.list(headers={"X-Auth-Token": "secret-token-2"}).status_code == 200
    assert client.update(DEMO, {"name": "x"}, headers={"x-auth-token": "secret-token-1"}).status_code == 202
    assert client.control("GET", "instances").status_code == 200  # control API needs no token
    client.configure(tokens=None)
    assert client.list().status_code == 200


def test_tokens_from_constructor():
    with Emulator(seed={"workspaces": ["w1"], "instances": [{"name": "only"}]}, tokens=["t0k3n"]) as emu:
        url = emu.url + "/v1/workspaces/w1/services/instances"
        assert requests.get(url, timeout=5).status_code == 401
        response = requests.get(url, headers={"X-Auth-Token": "t0k3n"}, timeout=5)
        assert response.status_code == 200 and response.json()["service_instances"][0]["name"] == "only"
        requests.post(emu.url + "/_emulator/reset", timeout=5)
        assert emu.state.config["tokens"] == ["t0k3n"]


# ----------------------------------------------------------------------------- Faults
@pytest.mark.parametrize(
    "status, code",
    [
        (503, "APIG.0201"),
        (500, "common.00000500"),
        (429, "APIG.0308"),
        (408, "common.00000408"),
        (401, "APIG.1002"),
        (404, "common.01000001"),
    ],
)
def test_fault_status_default_bodies(client, status, code):
    client.fault(method="GET", path="/services/instances$", status=status, times=2)
    for _attempt in range(2):
        response = client.list()
        assert response.status_code == status and response.json()["error_code"] == code
        assert "X-Request-Id" in response.headers
    assert client.list().status_code == 200
    assert client.control("GET", "faults").json() == {"faults": []}


def test_fault_403_body_and_retry_after(client):
    client.fault(method="*", path=DEMO, status=403, retry_after=2)
    response = client.show(DEMO)
    assert response.status_code == 403
    assert response.headers["Retry-After"] == "2"
    body = response.json()
    assert body["error_code"] == 403 and body["error"]["code"] == "403" and body["title"] == "Forbidden"
    client.fault(status=429, retry_after="5")
    throttled = client.list()
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "5"
    assert "Retry-After" not in client.list().headers


def test_fault_matching_by_method_and_path(client):
    client.fault(method="PUT", path="/instances/" + DEMO + "$", status=500, times=3)
    assert client.show(DEMO).status_code == 200
    assert client.update(CANARY, {"name": "x"}).status_code == 202
    assert client.update(DEMO, {"name": "x"}).status_code == 500
    remaining = client.control("GET", "faults").json()["faults"]
    assert len(remaining) == 1 and remaining[0]["times"] == 2 and remaining[0]["method"] == "PUT"
    assert client.control("DELETE", "faults").json() == {"faults": []}
    assert client.update(DEMO, {"name": "x"}).status_code == 202


def test_fault_rules_apply_in_order_with_custom_body(client):
    client.fault(path="instances", status=502, body={"error_code": "custom", "error_msg": "custom body"})
    client.fault(path="instances", status=504, body="plain string")
    first, second = client.list(), client.list()
    assert first.status_code == 502 and first.json() == {"error_code": "custom", "error_msg": "custom body"}
    assert second.status_code == 504 and second.json() == "plain string"


def test_fault_html_page(client):
    client.fault(path="instances", html=True)
    response = client.list()
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in response.text
    assert "X-Request-Id" in response.headers
    client.fault(path="instances", html=True, status=504, retry_after="1")
    response = client.list()
    assert response.status_code == 504 and "504 Gateway Timeout" in response.text and response.headers["Retry-After"] == "1"
    assert client.list().status_code == 200


def test_fault_drop(client):
    assert client.list().status_code == 200  # open a keep-alive connection first
    client.fault(method="GET", path="instances", drop=True)
    with pytest.raises(requests.ConnectionError):
        client.list()
    assert client.list().status_code == 200
    log = client.control("GET", "requests").json()["requests"]
    assert log[-2]["status"] is None and log[-2]["fault"]["drop"] is True
    assert log[-1]["status"] == 200 and log[-1]["fault"] is None


def test_fault_drop_raw_socket(client, emulator):
    client.fault(drop=True)
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    connection.request("GET", client.instances())
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection.getresponse()
    connection.close()


def test_fault_delay(client):
    client.fault(path="instances", delay=0.3)
    started = time.monotonic()
    response = client.list()
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200 and response.json()["total"] == 3
    client.fault(path="instances", delay=0.2, status=503)
    started = time.monotonic()
    assert client.list().status_code == 503
    assert time.monotonic() - started >= 0.2
    client.fault(path="instances", delay=0.5)
    with pytest.raises(requests.Timeout):
        client.list(timeout=0.1)


def test_fault_apply_performs_the_write(client):
    client.fault(method="PUT", path=DEMO, status=500, apply=True)
    assert client.update(DEMO, {"name": "applied"}).status_code == 500
    assert client.wait_status(DEMO, "RUNNING").json()["name"] == "applied"
    client.fault(method="POST", path="instances$", drop=True, apply=True)
    with pytest.raises(requests.ConnectionError):
        client.deploy(deploy_body(name="ghost"))
    ghost = client.list({"name": "ghost"}).json()
    assert ghost["total"] == 1
    log = client.control("GET", "requests").json()["requests"]
    assert log[-2]["method"] == "POST" and log[-2]["status"] is None and log[-2]["applied_status"] == 202
    client.fault(method="DELETE", path=CANARY, status=503, apply=False)
    assert client.delete(CANARY).status_code == 503
    assert client.show(CANARY).json()["status"] == "RUNNING"


@pytest.mark.parametrize(
    "rule",
    [
        {"method": "FETCH", "status": 500},
        {"path": "(", "status": 500},
        {"times": 0, "status": 500},
        {"status": 700},
        {"status": 500, "drop": "yes"},
        {"delay": -1},
        {},
        {"body": {}},
        {"status": 500, "colour": "red"},
        [1, 2],
    ],
)
def test_fault_rule_validation(client, rule):
    response = client.control("POST", "faults", rule)
    assert response.status_code == 400 and response.json()["error_code"] == "emulator.bad_request"
    assert client.control("GET", "faults").json() == {"faults": []}


def test_fault_list_form_and_only_api_paths(client):
    response = client.control("POST", "faults", {"faults": [{"status": 500, "times": 5}, {"drop": True}]})
    assert response.status_code == 201 and len(response.json()["faults"]) == 2
    assert client.control("GET", "config").status_code == 200  # the control API is never faulted
    assert client.control("GET", "faults").json()["faults"][0]["times"] == 5
    assert client.list().status_code == 500
    assert client.control("GET", "faults").json()["faults"][0]["times"] == 4


# ----------------------------------------------------------------------------- Request log
def test_request_log(client):
    client.configure(tokens=["very-secret-value"])
    client.request("DELETE", "/_emulator/requests")
    client.list({"name": "demo-llm", "limit": "5"}, headers={"X-Auth-Token": "very-secret-value"})
    client.update(DEMO, {"name": "logged"}, headers={"X-Auth-Token": "very-secret-value", "X-Project-Id": "p1"})
    client.request("PUT", client.instance(CANARY), data=b"not json", headers={"X-Auth-Token": "very-secret-value"})
    client.control("GET", "instances")
    response = client.control("GET", "requests")
    assert "very-secret-value" not in response.text
    log = response.json()["requests"]
    assert len(log) == 3
    first, second, third = log
    assert first["method"] == "GET" and first["path"] == "/v1/workspaces/ws-demo/services/instances"
    assert first["query"] == {"name": ["demo-llm"], "limit": ["5"]}
    assert first["body"] is None and first["status"] == 200 and first["fault"] is None
    assert "x-auth-token" in first["headers"] and all(name == name.lower() for name in first["headers"])
    assert second["body"] == {"name": "logged"} and second["status"] == 202
    assert {"x-auth-token", "x-project-id", "content-type", "host"} <= set(second["headers"])
    assert third["body"] == "not json" and third["status"] == 400
    assert first["seq"] < second["seq"] < third["seq"]
    assert isinstance(first["time"], float) and first["time"] <= second["time"]
    assert client.request("DELETE", "/_emulator/requests").json() == {"requests": []}
    assert client.control("GET", "requests").json() == {"requests": []}


def test_request_log_redacts_iam_bodies():
    request = Request("POST", "/v3/auth/tokens", [("Content-Type", "application/json")], b'{"auth": {"password": "p"}}')
    assert request.loggable_body() == "<redacted>"


# ----------------------------------------------------------------------------- Control API
def test_reset(client):
    client.configure(update_seconds=9, stale_reads=3)
    client.fault(status=500, times=10)
    client.request("DELETE", "/_emulator/faults")
    client.update(DEMO, {"name": "changed"})
    client.deploy(deploy_body())
    response = client.control("POST", "reset")
    assert response.status_code == 200
    assert client.list().json()["total"] == 3
    assert client.show(DEMO).json()["name"] == "demo-llm"
    config = client.control("GET", "config").json()
    assert config["update_seconds"] == 0.2 and config["stale_reads"] == 0 and config["delete_mode"] == "gone"
    assert client.control("GET", "faults").json() == {"faults": []}
    assert client.control("GET", "events").json() == {"events": []}
    assert [entry["status"] for entry in client.control("GET", "requests").json()["requests"]] == [200, 200]


def test_reset_with_replacement_seed(client):
    response = client.control("POST", "reset", {"workspaces": ["ws-a"], "instances": [{"workspace_id": "ws-a", "id": "only-one", "name": "solo"}]})
    assert response.status_code == 200
    assert client.request("GET", client.instances("ws-a")).json()["service_instances"][0]["id"] == "only-one"
    assert client.list().status_code == 400  # ws-demo is not in the replacement seed
    client.control("POST", "reset")
    assert client.list().json()["total"] == 3
    assert client.control("POST", "reset", {"instances": "nope"}).status_code == 400
    assert client.list().json()["total"] == 3


def test_control_instances(client):
    listed = client.control("GET", "instances").json()["instances"]
    assert len(listed) == 3 and all(item["workspace_id"] == WS for item in listed)
    one = client.control("GET", "instances/" + DEMO).json()
    assert one["name"] == "demo-llm" and one["_emulator"]["pending"] is None
    assert client.control("GET", "instances/missing").status_code == 404
    client.update(DEMO, {"name": "pending-name"})
    pending = client.control("GET", "instances/" + DEMO).json()["_emulator"]["pending"]
    assert pending["operation"] == "update" and pending["changes"] == {"name": "pending-name"}
    added = client.control("POST", "instances", {"instances": [{"name": "extra", "status": "STOPPED"}, {}]}).json()["instances"]
    assert added[0]["status"] == "STOPPED" and added[0]["workspace_id"] == WS and TIME_RE.match(added[0]["create_time"])
    assert list(client.show(added[1]["id"]).json()) == SHAPE
    assert client.control("POST", "instances", {"instances": [{"id": DEMO}]}).status_code == 400
    assert client.control("POST", "instances", {"instances": [{"status": "BROKEN"}]}).status_code == 400
    assert client.control("DELETE", "instances/" + CANARY).status_code == 200
    assert client.show(CANARY).status_code == 404


def test_patch_instance(client, emulator):
    before = client.show(DEMO).json()
    time.sleep(0.01)
    response = client.control(
        "PATCH", "instances/" + DEMO, {"description": "other writer", "config": {"model_instance_config": {"resource": {"max": 7}}}}
    )
    assert response.status_code == 200
    after = client.show(DEMO).json()
    assert after["description"] == "other writer"
    assert after["config"]["model_instance_config"]["resource"] == {"min": 1, "max": 7, "spec_code": "mu.llama3.8b"}
    assert after["update_time"] > before["update_time"]
    client.control(
        "PATCH", "instances/" + DEMO, {"status": "FAILED", "error_code": "E1", "error_msg": "boom", "update_time": "2020-01-01T00:00:00.000Z"}
    )
    failed = client.show(DEMO).json()
    assert failed["status"] == "FAILED" and failed["error_msg"] == "boom" and failed["update_time"] == "2020-01-01T00:00:00.000Z"
    events = client.control("GET", "events").json()["events"]
    assert events[-1]["from"] == "RUNNING" and events[-1]["to"] == "FAILED" and events[-1]["operation"] == "patch"
    assert client.control("PATCH", "instances/" + DEMO, {"status": "NOPE"}).status_code == 400
    assert client.control("PATCH", "instances/" + DEMO, {"id": "other"}).status_code == 400
    assert client.control("PATCH", "instances/missing", {}).status_code == 404
    # a status change ends a pending operation
    client.control("PATCH", "instances/" + DEMO, {"status": "RUNNING"})
    client.update(DEMO, {"name": "never"})
    client.control("PATCH", "instances/" + DEMO, {"status": "RUNNING"})
    time.sleep(0.3)
    assert client.show(DEMO).json()["name"] == "demo-llm"
    with emulator.state.lock:
        assert emulator.state.instances[DEMO].pending is None


def test_config_api(client):
    config = client.control("GET", "config").json()
    assert config == {
        "update_seconds": 0.2,
        "deploy_seconds": 0.2,
        "delete_seconds": 0.2,
        "stale_reads": 0,
        "delete_mode": "gone",
        "tokens": None,
        "fail_next_update": None,
        "fail_next_deploy": None,
        "stale_reads_after_delete": 0,
        "list_items": "full",
        "update_time_on": "accept",
        "write_body": "json",
        "numbers": "int",
        "timestamps": "millis_z",
        "list_total": "exact",
    }
    updated = client.configure(update_seconds=1, tokens=["a"], fail_next_deploy={"error_msg": "no capacity"})
    assert updated["update_seconds"] == 1.0 and updated["tokens"] == ["a"]
    assert updated["fail_next_deploy"]["error_msg"] == "no capacity" and updated["fail_next_deploy"]["error_code"]
    for bad in ({"delete_mode": "vanish"}, {"stale_reads": -1}, {"update_seconds": "fast"}, {"tokens": "abc"}, {"what": 1}, {"fail_next_update": 3}):
        response = client.control("PUT", "config", bad)
        assert response.status_code == 400, bad
    assert client.control("POST", "config", {}).status_code == 405
    assert client.control("GET", "nothing").status_code == 404
    assert client.control("GET", "health").json() == {"status": "ok"}


def test_events(client):
    new_id = client.deploy(deploy_body()).json()["id"]
    client.wait_status(new_id, "RUNNING")
    events = client.control("GET", "events").json()["events"]
    assert [(e["instance_id"], e["from"], e["to"], e["operation"]) for e in events] == [
        (new_id, None, "CREATING", "deploy"),
        (new_id, "CREATING", "RUNNING", "deploy"),
    ]
    assert events[0]["time"] <= events[1]["time"] <= time.time()
    assert events[1]["time"] - events[0]["time"] == pytest.approx(0.2, abs=0.1)
    assert client.control("DELETE", "events").json() == {"events": []}


# ----------------------------------------------------------------------------- HTTP details
def test_keep_alive_and_content_length(client, emulator):
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    for path in (client.instances(), client.instance(DEMO), "/v1/unknown", "/_emulator/health"):
        connection.request("GET", path)
        response = connection.getresponse()
        payload = response.read()
        assert int(response.getheader("Content-Length")) == len(payload)
        assert response.getheader("Connection") != "close"
        json.loads(payload)
    body = json.dumps({"name": "chunked"}).encode()
    connection.request("PUT", client.instance(DEMO), body=iter([body]), headers={"Content-Type": "application/json"}, encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 202, response.read()
    response.read()
    connection.close()


def test_cli_starts_and_stops_cleanly(tmp_path):
    port_file = tmp_path / "port"
    with running_cli(port_file, "--token", "cli-token", "--update-seconds", "0") as (process, port, line):
        assert line == "fabric emulator listening on http://127.0.0.1:%d" % port
        url = "http://127.0.0.1:%d/v1/workspaces/ws-demo/services/instances" % port
        assert requests.get(url, timeout=5).status_code == 401
        assert requests.get(url, headers={"X-Auth-Token": "cli-token"}, timeout=5).json()["total"] == 3
        assert requests.get("http://127.0.0.1:%d/_emulator/config" % port, timeout=5).json()["update_seconds"] == 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stderr.read() == ""  # quiet: no line per request
        assert not os.path.exists(port_file)


def test_cli_bad_seed(tmp_path):
    missing = tmp_path / "missing.json"
    result = run_cli("--port", "0", "--seed", str(missing))
    assert result.returncode == 2 and "seed" in result.stderr


def test_python_short_hands_and_stop_closes_connections():
    emu = Emulator(seed={"workspaces": ["w1"], "instances": [{"id": "i-1", "name": "one"}]}, update_seconds=0)
    emu.start()
    session = requests.Session()
    try:
        url = emu.url + "/v1/workspaces/w1/services/instances/i-1"
        assert emu.configure(stale_reads=1)["stale_reads"] == 1
        assert emu.add_fault(method="GET", status=500)["times"] == 1
        assert session.get(url, timeout=5).status_code == 500
        assert session.put(url, json={"name": "two"}, timeout=5).status_code == 202
        assert emu.get_instance("i-1")["name"] == "two"
        assert emu.get_instance("missing") is None
        head = session.head(url, timeout=5)
        assert head.status_code == 404 and head.content == b"" and "X-Request-Id" in head.headers
        emu.reset({"instances": []})
        assert session.get(url, timeout=5).status_code == 404
    finally:
        emu.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(emu.url + "/v1/workspaces/w1/services/instances", timeout=5)
    session.close()
