# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""FabricClient: the retry loop, write confirmation, the request shape, and secrets kept out of errors."""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import ssl
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
import urllib3
from urllib3.exceptions import MaxRetryError, NewConnectionError

from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth_methods import AkSkAuth, TokenAuth
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricApiError, FabricConnectionError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._http import ApiResponse, FabricClient, user_agent
from ansible_collections.hwcloud.dataarts.plugins.module_utils._retry import Backoff
from ansible_collections.hwcloud.dataarts.plugins.module_utils._version import COLLECTION_VERSION

BASE = "https://fabric-ep.cn-north-4.myhuaweicloud.com"
PATH = "/v1/workspaces/ws-1/services/instances/inst-1"
URL = BASE + PATH
LIST_PATH = "/v1/workspaces/ws-1/services/instances"
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def make_client(fake_time, retries=5, auth=None, deadline=None, rng=lambda: 0.0):
    return FabricClient(BASE, auth=auth, retries=retries, clock=fake_time.clock, sleep=fake_time.sleep, backoff=Backoff(rng=rng), deadline=deadline)


def refused():
    """What requests raises when the TCP connection is refused: the request never left."""
    cause = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.exceptions.ConnectionError(MaxRetryError(None, URL, reason=cause))


def error_body(status, msg):
    return json.dumps({"error_code": "common.{0:08d}".format(status), "error_msg": msg})


class Confirm:
    """A confirm_write stand-in that answers a fixed value and counts its calls."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.answer


def test_retries_then_success(mocked, fake_time):
    mocked.add(responses.GET, URL, status=503, body=error_body(503, "busy"))
    mocked.add(responses.GET, URL, status=502, body="<html>bad gateway</html>")
    mocked.add(responses.GET, URL, status=200, json={"id": "inst-1"}, headers={"X-Request-Id": "r-ok"})
    response = make_client(fake_time).request("GET", PATH)
    assert isinstance(response, ApiResponse)
    assert response.status == 200
    assert response.body == {"id": "inst-1"}
    assert response.headers["x-request-id"] == "r-ok"
    assert len(mocked.calls) == 3
    # Backoff with the jitter pinned to its low end: base/2, then doubled.
    assert fake_time.sleeps == [0.5, 1.0]


def test_retry_after_is_honoured(mocked, fake_time):
    mocked.add(responses.GET, URL, status=429, body=error_body(429, "throttled"), headers={"Retry-After": "7"})
    mocked.add(responses.GET, URL, status=200, json={})
    make_client(fake_time).request("GET", PATH)
    assert len(mocked.calls) == 2
    assert fake_time.sleeps == [7.0]


def test_gives_up_after_retries_plus_one_attempts_with_the_last_error(mocked, fake_time):
    for attempt in range(1, 5):
        mocked.add(
            responses.GET, URL, status=503, body=error_body(503, "attempt {0}".format(attempt)), headers={"X-Request-Id": "rid-{0}".format(attempt)}
        )
    with pytest.raises(FabricApiError) as caught:
        make_client(fake_time, retries=3).request("GET", PATH)
    assert len(mocked.calls) == 4
    assert len(fake_time.sleeps) == 3
    assert caught.value.status == 503
    assert caught.value.error_msg == "attempt 4"
    assert caught.value.request_id == "rid-4"


def test_default_retries_mean_six_attempts(mocked, fake_time):
    mocked.add(responses.GET, URL, status=500, body=error_body(500, "internal error"))
    with pytest.raises(FabricApiError):
        FabricClient(BASE, clock=fake_time.clock, sleep=fake_time.sleep, backoff=Backoff(rng=lambda: 0.0)).request("GET", PATH)
    assert len(mocked.calls) == 6
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_connection_errors_exhausted_raise_a_connection_error(mocked, fake_time):
    mocked.add(responses.GET, URL, body=refused())
    with pytest.raises(FabricConnectionError) as caught:
        make_client(fake_time, retries=2).request("GET", PATH)
    assert len(mocked.calls) == 3
    assert caught.value.attempts == 3
    assert "Connection refused" in str(caught.value)


def test_retries_zero_means_one_attempt(mocked, fake_time):
    mocked.add(responses.GET, URL, status=503, body=error_body(503, "busy"))
    with pytest.raises(FabricApiError):
        make_client(fake_time, retries=0).request("GET", PATH)
    assert len(mocked.calls) == 1
    assert fake_time.sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(mocked, fake_time, status):
    mocked.add(responses.GET, URL, status=status, body=error_body(status, "no"))
    with pytest.raises(FabricApiError) as caught:
        make_client(fake_time).request("GET", PATH)
    assert caught.value.status == status
    assert len(mocked.calls) == 1
    assert fake_time.sleeps == []


def test_post_429_is_retried(mocked, fake_time):
    mocked.add(responses.POST, BASE + LIST_PATH, status=429, body=error_body(429, "throttled"))
    mocked.add(responses.POST, BASE + LIST_PATH, status=202, json={"id": "inst-9"})
    response = make_client(fake_time).request("POST", LIST_PATH, body={"name": "x"})
    assert response.body == {"id": "inst-9"}
    assert len(mocked.calls) == 2
    assert [call.request.method for call in mocked.calls] == ["POST", "POST"]


def test_put_500_without_confirm_write_is_not_resent(mocked, fake_time):
    mocked.add(responses.PUT, URL, status=500, body=error_body(500, "internal error"))
    mocked.add(responses.PUT, URL, status=202, json={"id": "inst-1"})
    with pytest.raises(FabricApiError) as caught:
        make_client(fake_time).request("PUT", PATH, body={"description": "d"})
    assert caught.value.status == 500
    assert len(mocked.calls) == 1
    assert fake_time.sleeps == []


def test_put_502_confirmed_is_not_resent(mocked, fake_time):
    mocked.add(responses.PUT, URL, status=502, body=error_body(502, "bad gateway"))
    mocked.add(responses.PUT, URL, status=202, json={"id": "inst-1"})
    confirmed = {"id": "inst-1"}
    confirm = Confirm(confirmed)
    result = make_client(fake_time).request("PUT", PATH, body={"description": "d"}, confirm_write=confirm)
    assert result.confirmed and result.body is confirmed
    assert confirm.calls == 1
    assert len(mocked.calls) == 1


def test_put_502_not_taken_effect_is_resent_once(mocked, fake_time):
    mocked.add(responses.PUT, URL, status=502, body=error_body(502, "bad gateway"))
    mocked.add(responses.PUT, URL, status=202, json={"id": "inst-1"})
    confirm = Confirm(None)
    result = make_client(fake_time).request("PUT", PATH, body={"description": "d"}, confirm_write=confirm)
    assert result.status == 202
    assert confirm.calls == 1
    assert len(mocked.calls) == 2
    assert mocked.calls[0].request.body == mocked.calls[1].request.body


def test_connection_refused_on_put_is_resent_without_confirming(mocked, fake_time):
    mocked.add(responses.PUT, URL, body=refused())
    mocked.add(responses.PUT, URL, status=202, json={"id": "inst-1"})
    confirm = Confirm({})
    result = make_client(fake_time).request("PUT", PATH, body={"description": "d"}, confirm_write=confirm)
    assert result.status == 202
    assert result.body == {"id": "inst-1"}
    assert confirm.calls == 0
    assert len(mocked.calls) == 2


def test_connect_timeout_on_post_is_resent(mocked, fake_time):
    mocked.add(responses.POST, BASE + LIST_PATH, body=requests.exceptions.ConnectTimeout("connect timed out"))
    mocked.add(responses.POST, BASE + LIST_PATH, status=202, json={"id": "inst-9"})
    result = make_client(fake_time).request("POST", LIST_PATH, body={"name": "x"})
    assert result.body == {"id": "inst-9"}
    assert len(mocked.calls) == 2


def test_read_timeout_on_put_goes_through_confirm(mocked, fake_time):
    mocked.add(responses.PUT, URL, body=requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"))
    mocked.add(responses.PUT, URL, status=202, json={"id": "inst-1"})
    confirmed = {"id": "inst-1"}
    confirm = Confirm(confirmed)
    assert make_client(fake_time).request("PUT", PATH, body={"description": "d"}, confirm_write=confirm).body is confirmed
    assert confirm.calls == 1
    assert len(mocked.calls) == 1


def test_read_timeout_on_put_without_confirm_is_raised(mocked, fake_time):
    mocked.add(responses.PUT, URL, body=requests.exceptions.ReadTimeout("Read timed out."))
    with pytest.raises(FabricConnectionError) as caught:
        make_client(fake_time).request("PUT", PATH, body={"description": "d"})
    assert "timed out" in str(caught.value)
    assert len(mocked.calls) == 1


def test_reset_on_delete_goes_through_confirm(mocked, fake_time):
    mocked.add(responses.DELETE, URL, body=requests.exceptions.ConnectionError("Connection aborted.', ConnectionResetError(104)"))
    confirm = Confirm(None)
    mocked.add(responses.DELETE, URL, status=202, body="")
    result = make_client(fake_time).request("DELETE", PATH, confirm_write=confirm)
    assert confirm.calls == 1
    assert result.status == 202
    assert result.body is None
    assert len(mocked.calls) == 2


def test_read_timeout_on_get_is_retried(mocked, fake_time):
    mocked.add(responses.GET, URL, body=requests.exceptions.ReadTimeout("Read timed out."))
    mocked.add(responses.GET, URL, status=200, json={"id": "inst-1"})
    assert make_client(fake_time).request("GET", PATH).body == {"id": "inst-1"}
    assert len(mocked.calls) == 2


def test_deadline_stops_retries(mocked, fake_time):
    mocked.add(responses.GET, URL, status=503, body=error_body(503, "busy"))
    deadline = fake_time.now + 1.0
    with pytest.raises(FabricApiError) as caught:
        make_client(fake_time, retries=10, deadline=deadline).request("GET", PATH)
    assert caught.value.status == 503
    # 0.5 s fits before the deadline, the next 1 s would not: two attempts, never a sleep past it.
    assert fake_time.sleeps == [0.5]
    assert len(mocked.calls) == 2
    assert fake_time.now <= deadline


def test_retry_after_past_the_deadline_is_not_slept(mocked, fake_time):
    mocked.add(responses.GET, URL, status=429, body=error_body(429, "throttled"), headers={"Retry-After": "60"})
    with pytest.raises(FabricApiError):
        make_client(fake_time, deadline=fake_time.now + 30).request("GET", PATH)
    assert fake_time.sleeps == []
    assert len(mocked.calls) == 1


def test_query_string_is_canonical(mocked, fake_time):
    mocked.add(responses.GET, BASE + LIST_PATH, status=200, json={"total": 0, "service_instances": []})
    make_client(fake_time).request("GET", LIST_PATH, query=[("offset", 0), ("name", "my inst"), ("limit", 100), ("flag", True)])
    sent = mocked.calls[0].request.url
    assert urlsplit(sent).query == "flag=true&limit=100&name=my%20inst&offset=0"
    assert "+" not in sent


def test_no_query_means_no_question_mark(mocked, fake_time):
    mocked.add(responses.GET, URL, status=200, json={})
    make_client(fake_time).request("GET", PATH)
    assert mocked.calls[0].request.url == URL


def test_json_body_is_compact_utf8(mocked, fake_time):
    mocked.add(responses.PUT, URL, status=202, json={"id": "inst-1"})
    body = {"name": "推理 实例", "description": "a b", "config": {"model_instance_config": {"resource": {"min": 1, "max": 4}}}}
    make_client(fake_time).request("PUT", PATH, body=body)
    request = mocked.calls[0].request
    assert request.body == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert b", " not in request.body and b'": ' not in request.body
    assert "推理 实例".encode("utf-8") in request.body
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == body


def test_get_sends_no_body(mocked, fake_time):
    mocked.add(responses.GET, URL, status=200, json={})
    make_client(fake_time).request("GET", PATH)
    assert not mocked.calls[0].request.body


def test_user_agent_names_the_collection(mocked, fake_time):
    mocked.add(responses.GET, URL, status=200, json={})
    make_client(fake_time).request("GET", PATH)
    agent = mocked.calls[0].request.headers["User-Agent"]
    assert agent.startswith("hwcloud.dataarts/1.0.0 ")
    assert agent == user_agent()
    assert re.search(r"ansible-core/\d+\.\d+", agent)
    assert re.search(r"requests/\d+\.\d+", agent)
    assert mocked.calls[0].request.headers["Accept"] == "application/json"


def test_collection_version_matches_galaxy_yml():
    with open(os.path.join(REPO_ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        found = re.search(r"^version:\s*['\"]?([^'\"\s]+)", handle.read(), re.MULTILINE)
    assert found is not None
    assert found.group(1) == COLLECTION_VERSION


def test_auth_is_applied_on_every_attempt(mocked, fake_time):
    applied = []

    def auth(request):
        applied.append(request.url)
        request.headers["X-Attempt"] = str(len(applied))
        return request

    mocked.add(responses.GET, URL, status=503, body=error_body(503, "busy"))
    mocked.add(responses.GET, URL, status=500, body=error_body(500, "internal"))
    mocked.add(responses.GET, URL, status=200, json={})
    make_client(fake_time, auth=auth).request("GET", PATH)
    assert len(applied) == 3
    assert [call.request.headers["X-Attempt"] for call in mocked.calls] == ["1", "2", "3"]


def test_aksk_signs_every_attempt_afresh(mocked, fake_time):
    moments = iter([datetime.datetime(2026, 11, 28, 9, 0, second, tzinfo=datetime.timezone.utc) for second in (1, 2)])
    auth = AkSkAuth("AKEXAMPLE0000000000", "SKEXAMPLESECRET000000000000000000000000", project_id="p-1", now=lambda: next(moments))
    mocked.add(responses.GET, URL, status=503, body=error_body(503, "busy"))
    mocked.add(responses.GET, URL, status=200, json={})
    make_client(fake_time, auth=auth).request("GET", PATH)
    first, second = (call.request.headers for call in mocked.calls)
    assert first["X-Sdk-Date"] == "20261128T090001Z"
    assert second["X-Sdk-Date"] == "20261128T090002Z"
    assert first["Authorization"] != second["Authorization"]


def tls_failure(ssl_error):
    """A requests SSLError shaped as requests raises it: urllib3's MaxRetryError around urllib3's SSLError."""
    inner = urllib3.exceptions.SSLError(ssl_error)
    return requests.exceptions.SSLError(urllib3.exceptions.MaxRetryError(None, URL, reason=inner))


def certificate_failure(verify_message):
    err = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: " + verify_message)
    err.verify_message = verify_message
    return tls_failure(err)


@pytest.mark.parametrize("verify_message", ["self-signed certificate", "unable to get local issuer certificate", "Hostname mismatch"])
def test_certificate_failure_is_not_retried_and_names_ca_path(mocked, fake_time, verify_message):
    mocked.add(responses.GET, URL, body=certificate_failure(verify_message))
    mocked.add(responses.GET, URL, status=200, json={})
    with pytest.raises(FabricConnectionError) as caught:
        make_client(fake_time).request("GET", PATH)
    assert len(mocked.calls) == 1
    assert fake_time.sleeps == []
    assert "TLS verification failed (certificate: {0})".format(verify_message) in str(caught.value)
    assert "ca_path" in str(caught.value)
    assert "validate_certs" in str(caught.value)


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_tls_handshake_broken_off_is_a_connection_failure_and_retried(mocked, fake_time, method):
    eof = ssl.SSLEOFError(8, "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol")
    mocked.add(method, URL, body=tls_failure(eof))
    mocked.add(method, URL, status=200, json={})
    confirm = Confirm(None)
    make_client(fake_time).request(method, PATH, body={} if method == "PUT" else None, confirm_write=confirm)
    assert len(mocked.calls) == 2
    assert confirm.calls == 0  # nothing was sent: a write is resent without reading first


def test_connection_refused_keeps_its_cause_however_long_the_url(mocked, fake_time):
    long_path = "/v1/workspaces/ws-1/services/instances?name=" + "x" * 2000
    reason = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    refused_error = requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, BASE + long_path, reason=reason))
    mocked.add(responses.GET, BASE + "/v1/long", body=refused_error)
    with pytest.raises(FabricConnectionError) as caught:
        make_client(fake_time, retries=0).request("GET", "/v1/long")
    assert "Connection refused" in str(caught.value)
    assert "x" * 100 not in str(caught.value)


def test_an_empty_2xx_is_an_answer_without_a_body(mocked, fake_time):
    mocked.add(responses.DELETE, URL, status=204, body="")
    assert make_client(fake_time).request("DELETE", PATH).body is None


@pytest.mark.parametrize(
    "status, headers, body",
    [
        (200, {"Content-Type": "text/html"}, "<html><title>Sign in</title><body>Please sign in</body></html>"),
        (200, {"Content-Type": "text/plain"}, "not json"),
        (302, {"Location": "https://sso.example.test/login", "Content-Type": "text/html"}, "<html>Found</html>"),
        (301, {"Location": "https://elsewhere.example.test/", "Content-Type": "text/plain"}, ""),
    ],
)
def test_a_read_answered_by_something_else_than_the_api_fails_clearly(mocked, fake_time, status, headers, body):
    mocked.add(responses.GET, URL, status=status, headers=dict(headers, **{"X-Request-Id": "rid-proxy"}), body=body)
    with pytest.raises(FabricApiError) as caught:
        make_client(fake_time).request("GET", PATH)
    message = str(caught.value)
    assert "HTTP {0} with content type {1}".format(status, headers.get("Content-Type", "(none)")) in message
    assert "rid-proxy" in message
    assert len(mocked.calls) == 1  # never followed, never retried
    if status >= 300:
        assert headers["Location"] in message


def test_a_write_answered_by_a_sign_in_page_is_read_back_before_anything_is_resent(mocked, fake_time):
    mocked.add(responses.PUT, URL, status=200, content_type="text/html", body="<html>Sign in</html>")
    mocked.add(responses.PUT, URL, status=202, json={})
    confirm = Confirm({"id": "inst-1", "description": "d"})
    response = make_client(fake_time).request("PUT", PATH, body={"description": "d"}, confirm_write=confirm)
    assert confirm.calls == 1
    assert response.confirmed
    assert len(mocked.calls) == 1


def test_verify_and_absolute_urls(mocked, fake_time):
    mocked.add(responses.GET, "https://iam.example.test/v3/projects", status=200, json={"projects": []})
    client = FabricClient(BASE + "/", verify="/etc/ssl/ca.pem", clock=fake_time.clock, sleep=fake_time.sleep)
    assert client.session.verify == "/etc/ssl/ca.pem"
    assert client.url(PATH) == URL
    client.request("GET", "https://iam.example.test/v3/projects", query=[("name", "cn-north-4")])
    assert dict(parse_qsl(urlsplit(mocked.calls[0].request.url).query)) == {"name": "cn-north-4"}


def failing_scenarios():
    return {
        "api_error": dict(status=401, body=error_body(401, "Incorrect token or token resolution failed")),
        "refused": dict(body=refused()),
        "reset": dict(body=requests.exceptions.ConnectionError("Connection aborted.")),
        "read_timeout": dict(body=requests.exceptions.ReadTimeout("Read timed out.")),
        "ssl": dict(body=requests.exceptions.SSLError("certificate verify failed")),
        "html": dict(status=502, body="<html><body>Bad Gateway</body></html>"),
    }


@pytest.mark.parametrize("scenario", sorted(failing_scenarios()))
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_errors_never_contain_the_token(mocked, fake_time, scenario, method):
    token = secrets.token_urlsafe(96)
    mocked.add(method, URL, **failing_scenarios()[scenario])
    client = make_client(fake_time, retries=1, auth=TokenAuth(token))
    with pytest.raises((FabricApiError, FabricConnectionError)) as caught:
        client.request(method, PATH, body={"description": "d"} if method == "PUT" else None)
    # The token really was sent...
    assert all(call.request.headers["X-Auth-Token"] == token for call in mocked.calls)
    # ...and is nowhere in what the error shows.
    err = caught.value
    for text in (str(err), repr(err), repr(err.args), json.dumps(err.details()), repr(vars(err))):
        assert token not in text
    assert token not in repr(client.auth)


def test_errors_never_contain_aksk_secrets(mocked, fake_time):
    secret_key = secrets.token_hex(40)
    security_token = secrets.token_urlsafe(120)
    auth = AkSkAuth("AKEXAMPLE0000000000", secret_key, security_token=security_token, project_id="p-1")
    mocked.add(responses.GET, URL, status=401, body=json.dumps({"error_code": "APIG.0301", "error_msg": "verify aksk signature fail"}))
    with pytest.raises(FabricApiError) as caught:
        make_client(fake_time, auth=auth).request("GET", PATH)
    sent = mocked.calls[0].request.headers
    assert sent["X-Security-Token"] == security_token
    signature = sent["Authorization"].rsplit("Signature=", 1)[1]
    for text in (str(caught.value), repr(caught.value), repr(vars(caught.value)), repr(auth)):
        assert secret_key not in text
        assert security_token not in text
        assert signature not in text


def test_no_request_timeout_runs_past_the_task_deadline(mocked, fake_time):
    mocked.add(responses.GET, URL, status=200, json={})
    mocked.add(responses.GET, URL, status=200, json={})
    client = FabricClient(BASE, timeout=6, clock=fake_time.clock, sleep=fake_time.sleep, deadline=fake_time.clock() + 2)
    client.request("GET", PATH)
    fake_time.sleep(1.5)
    client.request("GET", PATH)
    assert [call.request.req_kwargs["timeout"] for call in mocked.calls] == [(2, 2), (0.5, 0.5)]
