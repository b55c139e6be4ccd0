# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault rules that stand for what may sit between a client and the API, and for a list that changes while it is paged."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.hwcloud.dataarts.tests.unit.emulator.emulator_support import CANARY, DEMO, SPACED

DEPLOY_BODY = {
    "source": {"id": "model-1"},
    "name": "faulted",
    "endpoint_id": "ep-1",
    "config": {"model_instance_config": {"resource": {"min": 1, "max": 1, "spec_code": "s"}}},
}


def ids(response):
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["service_instances"]]


def last_log_entry(client):
    return client.control("GET", "requests").json()["requests"][-1]


def not_json(response):
    with pytest.raises(ValueError):
        json.loads(response.content)
    return True


# ---------------------------------------------------------------------------- redirect
def test_redirect_to_the_sign_in_page(client):
    client.fault(method="GET", path="instances", redirect=True)
    response = client.list(allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "/_emulator/sign-in?service=%2Fv1%2Fworkspaces%2Fws-demo%2Fservices%2Finstances"
    assert response.headers["Content-Type"] == "text/html" and "Redirecting to" in response.text and not_json(response)
    assert last_log_entry(client)["fault"]["redirect"].startswith("/_emulator/sign-in")
    # a client that follows it lands on an HTML page with 200
    client.fault(method="GET", path="instances", redirect=True)
    followed = client.list()
    assert followed.status_code == 200 and followed.history[0].status_code == 302
    assert followed.headers["Content-Type"] == "text/html" and "<title>Sign in</title>" in followed.text and not_json(followed)


def test_redirect_with_its_own_location_status_and_page(client):
    client.fault(method="PUT", redirect="https://auth.example.invalid/login", status=307, html="<p>go away</p>")
    response = client.update(DEMO, {"name": "never"}, allow_redirects=False)
    assert response.status_code == 307 and response.headers["Location"] == "https://auth.example.invalid/login"
    assert response.text == "<p>go away</p>"
    assert client.show(DEMO).json()["status"] == "RUNNING"  # not applied


def test_redirect_after_the_write_was_applied(client):
    client.fault(method="DELETE", redirect=True, apply=True)
    assert client.delete(CANARY, allow_redirects=False).status_code == 302
    assert client.show(CANARY).json()["status"] == "DELETING"


# ------------------------------------------------------------------------ html on 2xx
@pytest.mark.parametrize("status", [200, 201, 202])
def test_html_sign_in_page_with_a_2xx(client, status):
    client.fault(path="instances", html=True, status=status)
    response = client.show(DEMO)
    assert response.status_code == status and response.headers["Content-Type"] == "text/html"
    assert "<title>Sign in</title>" in response.text and not_json(response)


def test_html_page_of_the_rule(client):
    client.fault(method="POST", html="<html><body>WAF says no</body></html>", status=200)
    response = client.deploy(DEPLOY_BODY)
    assert response.status_code == 200 and response.text == "<html><body>WAF says no</body></html>"
    assert client.list({"name": "faulted"}).json()["total"] == 0


# ------------------------------------------------------------------------------- empty
@pytest.mark.parametrize(
    "method, call, status",
    [
        ("GET", lambda client: client.show(DEMO), 200),
        ("GET", lambda client: client.list(), 200),
        ("POST", lambda client: client.deploy(DEPLOY_BODY), 202),
        ("PUT", lambda client: client.update(DEMO, {"name": "x"}), 202),
    ],
)
def test_empty_2xx(client, method, call, status):
    client.fault(method=method, empty=True, status=status)
    response = call(client)
    assert response.status_code == status and response.content == b"" and response.headers["Content-Length"] == "0"
    assert response.headers["Content-Type"] == "application/json"


def test_empty_defaults_to_200_and_can_follow_an_applied_write(client):
    rule = client.fault(method="POST", empty=True, apply=True)
    assert rule["status"] == 200 and rule["empty"] is True
    response = client.deploy(DEPLOY_BODY)
    assert response.status_code == 200 and response.content == b""
    assert last_log_entry(client)["applied_status"] == 202
    assert client.list({"name": "faulted"}).json()["total"] == 1  # deployed, but the id never came back


# -------------------------------------------------------------------------------- then
def test_then_create_between_pages_repeats_an_item(client):
    client.fault(method="GET", path="instances$", then={"create": {"name": "newcomer"}})
    first = ids(client.list({"limit": 2}))
    assert first == [SPACED, CANARY]  # answered before the change
    second = ids(client.list({"limit": 2, "offset": 2}))
    assert second == [CANARY, DEMO]  # the newest came first and pushed CANARY onto page 2
    newcomer = client.list({"name": "newcomer"}).json()
    assert newcomer["total"] == 1
    assert client.control("GET", "requests").json()["requests"][0]["then"] == {"created": newcomer["service_instances"][0]["id"]}
    # ascending order does not move what was already paged
    client.fault(method="GET", path="instances$", then={"create": {"name": "another"}})
    ascending = ids(client.list({"limit": 2, "order_by": "ASC"})) + ids(client.list({"limit": 10, "offset": 2, "order_by": "ASC"}))
    assert len(ascending) == len(set(ascending)) == 5


def test_then_delete_between_pages_skips_an_item(client):
    client.fault(method="GET", path="instances$", then={"delete": SPACED})
    assert ids(client.list({"limit": 2})) == [SPACED, CANARY]
    assert ids(client.list({"limit": 2, "offset": 2})) == []  # DEMO moved to page 1: never seen
    assert client.show(SPACED).status_code == 404
    events = client.control("GET", "events").json()["events"]
    assert events[-1]["instance_id"] == SPACED and events[-1]["to"] is None and events[-1]["operation"] == "fault"


def test_then_on_the_second_page_only_and_with_a_faulty_answer(client):
    client.fault(method="GET", path="instances$", every=2, then={"create": {"id": "late-one", "name": "late"}})
    assert "late-one" not in ids(client.list())
    assert "late-one" not in ids(client.list())  # the second request is answered first, then the change
    assert "late-one" in ids(client.list())
    client.fault(method="GET", path=DEMO, status=503, then={"delete": DEMO})
    assert client.show(DEMO).status_code == 503
    assert client.show(DEMO).status_code == 404


def test_then_that_cannot_happen_is_logged(client):
    client.fault(method="GET", then={"delete": "no-such-instance"})
    assert client.list().status_code == 200
    assert last_log_entry(client)["then"] == {"error": "no instance no-such-instance"}
    client.fault(method="GET", then={"create": {"id": DEMO}})
    assert client.list().status_code == 200
    assert "already exists" in last_log_entry(client)["then"]["error"]


# --------------------------------------------------------- lost answers, resets, writes
WRITES = {
    "PUT": (lambda client: client.update(DEMO, {"name": "written"}), lambda client: client.show(DEMO).json()["status"] == "UPDATING"),
    "POST": (lambda client: client.deploy(DEPLOY_BODY), lambda client: client.list({"name": "faulted"}).json()["total"] == 1),
    "DELETE": (lambda client: client.delete(DEMO), lambda client: client.show(DEMO).json()["status"] == "DELETING"),
}


@pytest.mark.parametrize("method", sorted(WRITES))
@pytest.mark.parametrize("apply", [True, False])
def test_dropped_write(client, method, apply):
    """apply: the write happens and its answer is lost; without: the connection is reset before it is applied."""
    send, applied = WRITES[method]
    client.fault(method=method, drop=True, apply=apply)
    with pytest.raises(requests.ConnectionError):
        send(client)
    assert applied(client) is apply
    entry = [item for item in client.control("GET", "requests").json()["requests"] if item["method"] == method][-1]
    assert entry["status"] is None and entry["fault"]["drop"] is True
    assert entry.get("applied_status") == (202 if apply else None)


# ------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "rule",
    [
        {"redirect": ""},
        {"redirect": 3},
        {"redirect": True, "status": 200},
        {"redirect": True, "empty": True},
        {"redirect": True, "status": 302, "body": {}},
        {"empty": "yes"},
        {"empty": True, "html": True},
        {"html": 1},
        {"status": 200, "html": True, "body": {}},
        {"then": {}},
        {"then": {"create": "x"}},
        {"then": {"delete": ""}},
        {"then": {"delete": "a", "create": {}}},
        {"then": {"rename": "a"}},
    ],
)
def test_rule_validation(client, rule):
    response = client.control("POST", "faults", rule)
    assert response.status_code == 400 and response.json()["error_code"] == "emulator.bad_request", response.text
    assert client.control("GET", "faults").json() == {"faults": []}


def test_rule_description(client):
    rule = client.fault(method="GET", path="instances$", times=2, then={"delete": DEMO})
    assert rule["then"] == {"delete": DEMO} and rule["status"] is None and rule["redirect"] is None and rule["empty"] is False
    redirect = client.fault(redirect=True)
    assert redirect["status"] == 302 and redirect["redirect"] == "/_emulator/sign-in"
