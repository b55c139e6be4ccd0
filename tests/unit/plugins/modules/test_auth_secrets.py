# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret in what the authentication layer raises or returns (issue 3, item 5).

Ansible masks declared no_log values in what it prints, so a scan of -vvvv output alone proves little. These tests
read the layer's raw texts, before any masking: the str, repr, args and details of every exception, and their
causes, for ACCESS_KEY/SECRET_KEY, token and password authentication failing in every way (API errors, IAM errors, refused and
timed-out connections, bad credential values). None may hold a secret key, a security token, an auth token, a
password, an Authorization header or its signature. Then, through main(): a token obtained at run time (IAM's) is
masked by Ansible even when a server echoes it back.
"""

from __future__ import annotations

import json

import pytest
import requests
import responses

from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth import build_auth
from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth_methods import AkSkAuth, TokenAuth
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricError, FabricInputError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._http import FabricClient
from ansible_collections.hwcloud.dataarts.plugins.module_utils._retry import Backoff
from ansible_collections.hwcloud.dataarts.plugins.modules import fabric_service_instance_info as info_module
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import DROP, ENDPOINT, LIST_URL
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.credentials import (
    ACCESS_KEY,
    IAM,
    IAM_TOKEN,
    PASSWORD,
    SECRET_KEY,
    SECURITY_TOKEN,
    TOKEN,
    aksk,
    assert_clean,
    password_params,
)


def texts_of(exc):
    """Every text an exception carries, its causes and contexts included."""
    found = []
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        found += [str(exc), repr(exc), repr(exc.args)]
        if isinstance(exc, FabricError):
            found.append(json.dumps(exc.details(), default=str))
        exc = exc.__cause__ or exc.__context__
    return "\n".join(found)


def client(base=ENDPOINT, auth=None, retries=2, timeout=30):
    return FabricClient(base, auth=auth, retries=retries, timeout=timeout, sleep=lambda _s: None, backoff=Backoff(rng=lambda: 0.0))


def factory(retries=2, timeout=30):
    def new_client(base_url, auth=None):
        return client(base_url, auth, retries, timeout)

    return new_client


def sts_aksk():
    """ACCESS_KEY/SECRET_KEY with a security token and a project id: every credential header is sent."""
    return aksk(security_token=SECURITY_TOKEN, project_id="p" * 32)


def failure(call):
    with pytest.raises(FabricError) as caught:
        call()
    return caught.value


# ------------------------------------------------------------------------------------------------ API answers
@pytest.mark.parametrize(
    "status, body",
    [
        (401, {"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information: verify aksk signature fail"}),
        (401, {"error_code": "APIG.1002", "error_msg": "Incorrect token or token resolution failed"}),
        (403, {"error": {"code": "403", "message": "X-Auth-Token is invalid in the request", "title": "Forbidden"}, "error_code": 403}),
        (500, {"error_code": "common.00000500", "error_msg": "internal error"}),
        (502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
    ],
)
@pytest.mark.parametrize("auth", ["aksk", "token"])
def test_api_errors_carry_no_secret(mocked, status, body, auth):
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body, "content_type": "text/html"}
    mocked.add(responses.GET, LIST_URL, status=status, headers={"X-Request-Id": "rid-1"}, **kwargs)
    exc = failure(lambda: client(auth=sts_aksk() if auth == "aksk" else TokenAuth(TOKEN)).request("GET", "/v1/workspaces/ws-1/services/instances"))
    sent = [call.request for call in mocked.calls]
    assert sent and all(("Authorization" in request.headers) == (auth == "aksk") for request in sent)
    assert str(status) in str(exc)
    assert_clean(texts_of(exc), sent=sent)


# ------------------------------------------------------------------------------------------------ real connections
@pytest.fixture
def silent_server(loopback):
    """A loopback server that accepts connections and never answers (read timeouts); and a port nobody listens on."""
    return loopback("silent"), loopback("refused")


@pytest.mark.parametrize("auth", ["aksk", "token"])
def test_refused_and_timed_out_connections_carry_no_secret(silent_server, auth):
    silent, refused = silent_server
    make = sts_aksk if auth == "aksk" else (lambda: TokenAuth(TOKEN))
    for base in (silent, refused):
        exc = failure(
            lambda base=base: client(base, make(), retries=1, timeout=1).request(
                "GET", "/v1/workspaces/ws-1/services/instances", query=[("name", "n")]
            )
        )
        assert "failed after 2 attempt(s)" in str(exc)
        assert_clean(texts_of(exc))


# ------------------------------------------------------------------------------------------------ IAM
@pytest.mark.parametrize(
    "status, body",
    [
        (401, {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}),
        (400, {"error": {"code": 400, "message": "Invalid input for field 'password'.", "title": "Bad Request"}}),
        (403, {"error_code": "IAM.0002", "error_msg": "You do not have permission"}),
        (500, {"error": {"code": 500, "message": "internal", "title": "Internal Server Error"}}),
        (201, {"token": {"expires_at": "2026-11-29T09:00:00.000000Z"}}),  # no X-Subject-Token header
    ],
)
def test_iam_password_failures_name_user_and_domain_not_the_password(mocked, status, body):
    mocked.add(responses.POST, IAM + "/v3/auth/tokens", status=status, json=body)
    registered = []
    exc = failure(lambda: build_auth(password_params(project_id="proj-1", iam_endpoint=IAM), factory(), registered.append))
    text = texts_of(exc)
    assert "'alice'" in text and "'acme'" in text
    assert_clean(text)
    assert registered == []
    assert PASSWORD in mocked.calls[0].request.body.decode("utf-8")  # it was sent, and only there


def test_iam_connection_failures_carry_no_password(silent_server):
    silent, refused = silent_server
    for base in (silent, refused):
        exc = failure(lambda base=base: build_auth(password_params(project_id="proj-1", iam_endpoint=base), factory(retries=1, timeout=1), [].append))
        assert_clean(texts_of(exc))


def test_project_lookup_failure_carries_no_signature(mocked):
    mocked.add(
        responses.GET,
        IAM + "/v3/projects",
        status=401,
        json={"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information: verify aksk signature fail"},
    )
    params = {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "security_token": SECURITY_TOKEN, "region": "cn-north-4", "iam_endpoint": IAM}
    exc = failure(lambda: build_auth(params, factory(), [].append))
    assert "cn-north-4" in str(exc) and "APIG.0301" in str(exc)
    assert_clean(texts_of(exc), sent=[call.request for call in mocked.calls])


# ------------------------------------------------------------------------------------------------ bad credential values
@pytest.mark.parametrize(
    "params, option",
    [
        ({"auth_token": TOKEN[:20] + "\n" + TOKEN[20:]}, "auth_token"),
        ({"auth_token": TOKEN + "é"}, "auth_token"),
        ({"auth_token": TOKEN[:20] + " " + TOKEN[20:]}, "auth_token"),
        ({"access_key": ACCESS_KEY + " x", "secret_key": SECRET_KEY}, "access_key"),
        ({"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "security_token": SECURITY_TOKEN + "\r\nX-Injected: 1"}, "security_token"),
        ({"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "security_token": "令牌" + SECURITY_TOKEN}, "security_token"),
        ({"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "project_id": "proj 1"}, "project_id"),
    ],
)
def test_credentials_that_cannot_be_sent_fail_before_any_request_without_their_value(mocked, params, option):
    """requests' InvalidHeader would quote the value, http.client's UnicodeEncodeError would be a traceback."""
    exc = failure(lambda: build_auth(params, factory(), [].append))
    assert isinstance(exc, FabricInputError)
    assert option in str(exc) and "HTTP header" in str(exc)
    assert_clean(texts_of(exc))
    for value in params.values():
        assert value not in texts_of(exc)
    assert len(mocked.calls) == 0


def test_surrounding_whitespace_of_credentials_is_dropped(mocked):
    """A vaulted value often ends in a newline: it is sent (and signed) without it."""
    mocked.add(responses.GET, LIST_URL, json={"total": 0, "service_instances": []})
    auth, _warnings, _method = build_auth({"auth_token": "  " + TOKEN + "\n"}, factory(), [].append)
    client(auth=auth).request("GET", "/v1/workspaces/ws-1/services/instances")
    assert mocked.calls[0].request.headers["X-Auth-Token"] == TOKEN
    auth, _warnings, _method = build_auth(
        {"access_key": ACCESS_KEY + "\n", "secret_key": SECRET_KEY + "\n", "security_token": SECURITY_TOKEN + "\n", "project_id": " proj-1 "},
        factory(),
        [].append,
    )
    request = auth(requests.Request("GET", LIST_URL).prepare())
    assert request.headers["X-Security-Token"] == SECURITY_TOKEN and request.headers["X-Project-Id"] == "proj-1"
    assert request.headers["Authorization"].startswith("SDK-HMAC-SHA256 Access={0}, ".format(ACCESS_KEY))
    assert request.headers["Authorization"] == aksk_signed_like(request, ACCESS_KEY, SECRET_KEY)


def aksk_signed_like(request, access_key, secret_key):
    """The Authorization a fresh AkSkAuth gives the same request at the same X-Sdk-Date."""
    from datetime import datetime, timezone  # pylint: disable=import-outside-toplevel

    moment = datetime.strptime(request.headers["X-Sdk-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    again = AkSkAuth(access_key, secret_key, security_token=SECURITY_TOKEN, project_id="proj-1", now=lambda: moment)
    return again(requests.Request("GET", LIST_URL).prepare()).headers["Authorization"]


def test_auth_objects_do_not_show_their_secrets():
    for auth in (sts_aksk(), TokenAuth(TOKEN)):
        assert_clean(repr(auth) + str(auth))


# ------------------------------------------------------------------------------------------------ through main()
def test_a_token_obtained_at_run_time_is_masked_even_when_echoed(run_module, mocked):
    """The IAM token is registered with Ansible's no_log values: a server that echoes it cannot make it print."""
    mocked.add(
        responses.POST,
        IAM + "/v3/auth/tokens",
        status=201,
        headers={"X-Subject-Token": IAM_TOKEN},
        json={"token": {"expires_at": "2026-11-29T09:00:00.000000Z"}},
    )
    mocked.add(
        responses.GET,
        LIST_URL + "/inst-1",
        status=401,
        json={"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information: token " + IAM_TOKEN + " expired"},
    )
    result = run_module(
        info_module,
        password_params(region=DROP, project_id="proj-1", iam_endpoint=IAM, endpoint=ENDPOINT, workspace_id="ws-1", instance_id="inst-1"),
    )
    assert result["failed"] is True
    assert mocked.calls[1].request.headers["X-Auth-Token"] == IAM_TOKEN
    dumped = json.dumps(result)
    assert "APIG.0301" in dumped and "********" in result["msg"]
    assert_clean(dumped)


def test_a_wrong_signature_fails_cleanly_through_main(run_module, mocked):
    mocked.add(
        responses.GET,
        LIST_URL + "/inst-1",
        status=401,
        json={"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information: verify aksk signature fail"},
    )
    result = run_module(
        info_module,
        {
            "endpoint": ENDPOINT,
            "workspace_id": "ws-1",
            "instance_id": "inst-1",
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "security_token": SECURITY_TOKEN,
            "project_id": "proj-1",
        },
    )
    assert result["failed"] is True and "APIG.0301" in result["msg"] and "HTTP 401" in result["msg"]
    assert "Traceback" not in json.dumps(result)
    assert_clean(json.dumps(result), sent=[call.request for call in mocked.calls])
