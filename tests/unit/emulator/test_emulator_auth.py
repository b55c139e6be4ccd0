# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's authentication (fabric_emulator/auth.py): AK/SK signature verification and the emulated IAM.

Valid signatures come from the official SDK's signer (huaweicloudsdkcore, a test-only dependency), never from the
collection's, so that the emulator is checked against the reference and can in turn check the collection.
"""

from __future__ import annotations

import datetime
import json
import random
import secrets
import time
from urllib.parse import quote

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest

from ansible_collections.hwcloud.dataarts.tests.unit.emulator.emulator_support import DEMO, WS, run_cli, running_cli
from fabric_emulator import auth as emulator_auth
from fabric_emulator.server import Emulator, Request

LIST_PATH = "/v1/workspaces/%s/services/instances" % WS
AK = "AKEMU" + secrets.token_hex(8).upper()
SK = "SK-" + secrets.token_urlsafe(30)
TEMP_AK = "AKTMP" + secrets.token_hex(8).upper()
TEMP_SK = "SK-" + secrets.token_urlsafe(30)
SECURITY_TOKEN = "gQpj" + secrets.token_urlsafe(120)
PROJECT = secrets.token_hex(16)
OTHER_PROJECT = secrets.token_hex(16)
PASSWORD = "Pw-" + secrets.token_urlsafe(24)
STATIC_TOKEN = "static-" + secrets.token_urlsafe(24)
DATE_FORMAT = "%Y%m%dT%H%M%SZ"

CREDENTIALS = {
    "access_keys": {
        AK: {"secret_key": SK, "projects": {"cn-north-4": PROJECT, "cn-south-1": OTHER_PROJECT}},
        TEMP_AK: {"secret_key": TEMP_SK, "security_token": SECURITY_TOKEN, "project_id": PROJECT},
    },
    "iam_users": [{"user_name": "alice", "password": PASSWORD, "domain_name": "acme", "projects": {"cn-north-4": PROJECT}}],
}


def now_date(offset=0):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset)).strftime(DATE_FORMAT)


@pytest.fixture
def emu(client, emulator):  # pylint: disable=unused-argument
    """The module's emulator with the credentials configured (conftest resets it before every test)."""
    emulator.configure(**CREDENTIALS)
    return emulator


def sdk_signed(url, method, path, query=(), headers=None, body=b"", ak=AK, sk=SK, project_id=PROJECT, security_token=None):
    """(url, headers) of a request signed by the official SDK."""
    header_params = {"Content-Type": "application/json"}
    if "X-Sdk-Date" not in (headers or {}):
        header_params["X-Sdk-Date"] = now_date()
    header_params.update(headers or {})
    creds = BasicCredentials(ak, sk, project_id)
    if security_token:
        creds.with_security_token(security_token)
    host = url.split("://", 1)[1]
    request = SdkRequest(
        method=method, schema="http", host=host, resource_path=path, query_params=list(query), header_params=header_params, body=body
    )
    signed = creds.sign_request(request)
    return url + signed.uri, dict(signed.header_params)


def send(emulator, method, path, query=(), body=b"", **kwargs):
    url, headers = sdk_signed(emulator.url, method, path, query=query, body=body, **kwargs)
    return requests.request(method, url, headers=headers, data=body or None, timeout=10)


def assert_0301(response, fragment=None):
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error_code"] == "APIG.0301", body
    assert body["error_msg"].startswith("Incorrect IAM authentication information: "), body
    if fragment:
        assert fragment in body["error_msg"], body
    for secret in (SK, TEMP_SK, SECURITY_TOKEN, PASSWORD):
        assert secret not in response.text
    return body


# ----------------------------------------------------------------------------------------- AK/SK
def test_sdk_signed_requests_are_accepted(emu):
    response = send(emu, "GET", LIST_PATH, query=[("limit", 10), ("offset", 0), ("name", "demo-llm")])
    assert response.status_code == 200, response.text
    body = json.dumps({"description": "signed ü"}, ensure_ascii=False).encode("utf-8")
    response = send(emu, "PUT", LIST_PATH + "/" + DEMO, body=body)
    assert response.status_code == 202, response.text
    response = send(emu, "GET", LIST_PATH + "/" + DEMO, ak=TEMP_AK, sk=TEMP_SK, security_token=SECURITY_TOKEN)
    assert response.status_code == 200, response.text


def test_wrong_signature_is_refused(emu):
    assert_0301(send(emu, "GET", LIST_PATH, sk=SK + "x"), "verify aksk signature fail")
    url, headers = sdk_signed(emu.url, "PUT", LIST_PATH + "/" + DEMO, body=b'{"description":"a"}')
    response = requests.put(url, headers=headers, data=b'{"description":"b"}', timeout=10)  # body changed after signing
    assert_0301(response, "verify aksk signature fail")
    url, headers = sdk_signed(emu.url, "GET", LIST_PATH, query=[("limit", 5)])
    assert_0301(requests.get(url.replace("limit=5", "limit=6"), headers=headers, timeout=10))  # query changed
    assert requests.get(url, headers=headers, timeout=10).status_code == 200


def test_query_is_decoded_without_turning_a_plus_into_a_space(emu):
    # Signed for a value with a plus; a client that sent the plus raw would be understood as plus, and a space as %20.
    url, headers = sdk_signed(emu.url, "GET", "/v3/projects", query=[("name", "a+b c")])
    assert url.endswith("?name=a%2Bb%20c")
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    assert requests.get(url.replace("%2B", "+"), headers=headers, timeout=10).status_code == 200
    assert_0301(requests.get(url.replace("%20", "+"), headers=headers, timeout=10))


def test_unknown_access_key(emu):
    body = assert_0301(send(emu, "GET", LIST_PATH, ak="AKNOTKNOWN0000000000"), "err:ak not exist")
    assert "AKNOTKNOWN" not in body["error_msg"]


@pytest.mark.parametrize("offset, accepted", [(-16 * 60, False), (-14 * 60, True), (14 * 60, True), (16 * 60, False)])
def test_sdk_date_must_be_within_15_minutes(emu, offset, accepted):
    response = send(emu, "GET", LIST_PATH, headers={"X-Sdk-Date": now_date(offset)})
    if accepted:
        assert response.status_code == 200, response.text
    else:
        assert_0301(response, "X-Sdk-Date")


def test_missing_or_unsigned_date_and_missing_signed_headers(emu):
    url, headers = sdk_signed(emu.url, "GET", LIST_PATH)
    without_date = {name: value for name, value in headers.items() if name != "X-Sdk-Date"}
    assert_0301(requests.get(url, headers=without_date, timeout=10), "no X-Sdk-Date")
    # A signature that does not cover X-Sdk-Date.
    authorization = headers["Authorization"].replace(
        "SignedHeaders=content-type;host;x-project-id;x-sdk-date", "SignedHeaders=content-type;host;x-project-id"
    )
    assert authorization != headers["Authorization"]
    assert_0301(requests.get(url, headers=dict(headers, Authorization=authorization), timeout=10), "x-sdk-date is not in SignedHeaders")
    # A signed header that is not sent.
    url, headers = sdk_signed(emu.url, "GET", LIST_PATH, headers={"X-Extra": "signed"})
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    del headers["X-Extra"]
    assert_0301(requests.get(url, headers=headers, timeout=10), "'x-extra' is not in the request")
    # Malformed Authorization values.
    for value in ("SDK-HMAC-SHA256 Access=%s" % AK, "SDK-HMAC-SHA256 garbage", "SDK-HMAC-SHA256 Access=, SignedHeaders=, Signature="):
        assert_0301(requests.get(url, headers=dict(headers, Authorization=value), timeout=10), "Authorization header")


def test_temporary_credentials_need_their_security_token(emu):
    assert_0301(send(emu, "GET", LIST_PATH, ak=TEMP_AK, sk=TEMP_SK), "X-Security-Token")
    assert_0301(send(emu, "GET", LIST_PATH, ak=TEMP_AK, sk=TEMP_SK, security_token=SECURITY_TOKEN + "x"), "X-Security-Token")
    assert_0301(send(emu, "GET", LIST_PATH, security_token=SECURITY_TOKEN), "permanent access key")
    # Sent but not signed.
    url, headers = sdk_signed(emu.url, "GET", LIST_PATH, ak=TEMP_AK, sk=TEMP_SK)
    assert_0301(requests.get(url, headers=dict(headers, **{"X-Security-Token": SECURITY_TOKEN}), timeout=10), "not signed")


def test_project_of_an_aksk_request(emu):
    assert send(emu, "GET", LIST_PATH, project_id=OTHER_PROJECT).status_code == 200
    assert_0301(send(emu, "GET", LIST_PATH, project_id="f" * 32), "X-Project-Id")
    assert_0301(send(emu, "GET", LIST_PATH, project_id=None), "X-Project-Id")


def test_unauthenticated_requests_are_1002(emu):
    for headers in ({}, {"Authorization": "Bearer x"}, {"X-Auth-Token": "not-a-token"}):
        response = requests.get(emu.url + LIST_PATH, headers=headers, timeout=10)
        assert response.status_code == 401
        assert response.json()["error_code"] == "APIG.1002"


def test_static_tokens_and_keys_together(emu):
    emu.configure(tokens=[STATIC_TOKEN])
    assert requests.get(emu.url + LIST_PATH, headers={"X-Auth-Token": STATIC_TOKEN}, timeout=10).status_code == 200
    assert send(emu, "GET", LIST_PATH).status_code == 200
    emu.configure(access_keys=None, iam_users=None)
    assert "access_keys" not in emu.state.config and "iam_users" not in emu.state.config
    assert_0301(send(emu, "GET", LIST_PATH), "ak not exist")


def test_nothing_configured_means_no_authentication(client):
    assert client.list().status_code == 200
    config = client.control("GET", "config").json()
    assert "access_keys" not in config and "iam_users" not in config


def test_request_log_has_no_secret(emu):
    emu.state.requests = []
    send(emu, "GET", LIST_PATH, ak=TEMP_AK, sk=TEMP_SK, security_token=SECURITY_TOKEN)
    issue_token(emu)
    logged = json.dumps(emu.state.requests)
    assert len(emu.state.requests) == 2
    for secret in (SECURITY_TOKEN, PASSWORD, TEMP_SK) + tuple(emu.state.issued_tokens):
        assert secret not in logged
    assert emu.state.requests[1]["body"] == "<redacted>"
    assert "authorization" in emu.state.requests[0]["headers"]


def test_signature_verifier_agrees_with_the_sdk_on_generated_requests():
    """The verifier's own canonicalisation, fed SDK-signed requests (no HTTP): 300 generated cases."""
    rng = random.Random(7)
    alphabet = "abcXYZ019-_.~ +%/&=?#推é"
    state_clock = {"now": time.time()}

    class FakeState:
        lock = __import__("threading").RLock()
        config = {"access_keys": {AK: {"secret_key": SK, "security_token": None, "project_id": None, "projects": {}}}}
        issued_tokens = {}

        @staticmethod
        def wallclock():
            return state_clock["now"]

    authenticator = emulator_auth.Authenticator(FakeState())
    for index in range(300):
        raw_path = "/" + "/".join("".join(rng.choice(alphabet) for _index in range(rng.randint(1, 8))) for _index in range(rng.randint(1, 4)))
        path = quote(raw_path, safe="/")
        query = [
            (rng.choice(("name", "a b", "k", "推")), "".join(rng.choice(alphabet) for _index in range(rng.randint(0, 6))))
            for _index in range(rng.randint(0, 4))
        ]
        body = rng.choice((b"", b'{"a": 1}', "ü".encode("utf-8") * rng.randint(1, 5)))
        method = rng.choice(("GET", "PUT", "POST", "DELETE"))
        url, headers = sdk_signed(
            "http://emu.test",
            method,
            path,
            query=query,
            body=body,
            project_id=None,
            headers={"X-Sdk-Date": time.strftime(DATE_FORMAT, time.gmtime(state_clock["now"]))},
        )
        target = url[len("http://emu.test") :]
        request = Request(method, target, list(headers.items()), body)
        identity = authenticator.authenticate(request)
        assert identity.method == "aksk", index
        tampered = Request(method, target, list(headers.items()), body + b"x")
        with pytest.raises(emulator_auth.ApiError):
            authenticator.authenticate(tampered)


# ----------------------------------------------------------------------------------------- IAM
def token_body(user="alice", password=PASSWORD, domain="acme", project=None):
    return {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": {"name": user, "password": password, "domain": {"name": domain}}}},
            "scope": {"project": project or {"name": "cn-north-4"}},
        }
    }


def issue_token(emulator, **kwargs):
    return requests.post(emulator.url + "/v3/auth/tokens", json=token_body(**kwargs), timeout=10)


def test_iam_issues_project_scoped_tokens_that_fabric_accepts(emu):
    response = issue_token(emu)
    assert response.status_code == 201, response.text
    token = response.headers["X-Subject-Token"]
    assert len(token) > 40
    body = response.json()["token"]
    assert body["project"] == {"id": PROJECT, "name": "cn-north-4", "domain": {"name": "acme"}}
    assert body["user"]["name"] == "alice" and body["methods"] == ["password"]
    assert body["expires_at"].endswith("Z") and body["expires_at"] > body["issued_at"]
    assert token not in response.text
    assert requests.get(emu.url + LIST_PATH, headers={"X-Auth-Token": token}, timeout=10).status_code == 200
    by_id = issue_token(emu, project={"id": PROJECT})
    assert by_id.status_code == 201 and by_id.headers["X-Subject-Token"] != token
    listed = requests.get(emu.url + "/_emulator/tokens", timeout=10).json()["tokens"]
    assert sorted(item["token"] for item in listed) == sorted([token, by_id.headers["X-Subject-Token"]])
    assert listed[0]["user_name"] == "alice" and listed[0]["domain_name"] == "acme" and listed[0]["project"]["id"] == PROJECT


@pytest.mark.parametrize("kwargs", [{"password": PASSWORD + "x"}, {"user": "bob"}, {"domain": "other"}])
def test_iam_refuses_wrong_credentials(emu, kwargs):
    response = issue_token(emu, **kwargs)
    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}
    assert "X-Subject-Token" not in response.headers
    assert PASSWORD not in response.text
    assert emu.state.issued_tokens == {}


def test_iam_bad_requests(emu):
    assert issue_token(emu, project={"name": "cn-south-1"}).status_code == 400
    assert issue_token(emu, project={"id": OTHER_PROJECT}).status_code == 400
    for body in ({}, {"auth": {}}, {"auth": {"identity": {"methods": ["token"]}}}, "text"):
        response = requests.post(emu.url + "/v3/auth/tokens", json=body, timeout=10)
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == 400
    unscoped = token_body()
    del unscoped["auth"]["scope"]
    assert requests.post(emu.url + "/v3/auth/tokens", json=unscoped, timeout=10).status_code == 400
    assert requests.get(emu.url + "/v3/auth/tokens", timeout=10).status_code == 405
    assert requests.get(emu.url + "/v3/users", timeout=10).status_code == 404


def test_expired_and_revoked_tokens(emu):
    token = issue_token(emu).headers["X-Subject-Token"]
    with emu.state.lock:
        emu.state.issued_tokens[token]["expires"] = time.time() - 1
    response = requests.get(emu.url + LIST_PATH, headers={"X-Auth-Token": token}, timeout=10)
    assert response.status_code == 401 and "token expires" in response.json()["error_msg"]
    assert requests.delete(emu.url + "/_emulator/tokens", timeout=10).json() == {"tokens": []}
    response = requests.get(emu.url + LIST_PATH, headers={"X-Auth-Token": token}, timeout=10)
    assert response.status_code == 401 and response.json()["error_code"] == "APIG.1002"
    issue_token(emu)
    emu.reset()
    assert emu.state.issued_tokens == {}


def test_projects_lookup_is_signed(emu):
    response = send(emu, "GET", "/v3/projects", query=[("name", "cn-north-4")], project_id=None)
    assert response.status_code == 200, response.text
    assert [(item["id"], item["name"]) for item in response.json()["projects"]] == [(PROJECT, "cn-north-4")]
    everything = send(emu, "GET", "/v3/projects", project_id=None).json()["projects"]
    assert {item["name"] for item in everything} == {"cn-north-4", "cn-south-1"}
    assert send(emu, "GET", "/v3/projects", query=[("name", "eu-west-0")], project_id=None).json()["projects"] == []
    assert_0301(send(emu, "GET", "/v3/projects", query=[("name", "cn-north-4")], sk="wrong", project_id=None))
    assert requests.get(emu.url + "/v3/projects?name=cn-north-4", timeout=10).status_code == 401
    token = issue_token(emu).headers["X-Subject-Token"]
    by_token = requests.get(emu.url + "/v3/projects?name=cn-north-4", headers={"X-Auth-Token": token}, timeout=10)
    assert by_token.json()["projects"][0]["id"] == PROJECT


def test_iam_requests_are_logged_and_can_be_faulted(emu):
    emu.state.requests = []
    emu.add_fault(method="POST", path="^/v3/auth/tokens$", status=503)
    assert issue_token(emu).status_code == 503
    assert issue_token(emu).status_code == 201
    assert [(entry["path"], entry["status"]) for entry in emu.state.requests] == [("/v3/auth/tokens", 503), ("/v3/auth/tokens", 201)]


# ----------------------------------------------------------------------------------------- configuration
@pytest.mark.parametrize(
    "bad",
    [
        {"access_keys": "AK"},
        {"access_keys": {AK: {}}},
        {"access_keys": {AK: {"secret_key": SK, "what": 1}}},
        {"access_keys": {"AK WITH SPACE": SK}},
        {"access_keys": {AK: {"secret_key": SK, "projects": ["p"]}}},
        {"iam_users": {"user_name": "a"}},
        {"iam_users": [{"user_name": "a", "password": "p"}]},
        {"iam_users": [{"user_name": "a", "password": "p", "domain_name": "d", "role": "x"}]},
    ],
)
def test_bad_credential_configuration(client, bad):
    response = client.control("PUT", "config", bad)
    assert response.status_code == 400, response.text


def test_short_form_and_clearing(client):
    config = client.configure(access_keys={AK: SK})
    assert config["access_keys"][AK]["secret_key"] == SK and config["access_keys"][AK]["security_token"] is None
    assert "access_keys" not in client.configure(access_keys=None)


def test_constructor_and_cli(tmp_path):
    with Emulator(seed={"workspaces": [WS], "instances": []}, **CREDENTIALS) as emu:
        assert send(emu, "GET", LIST_PATH).status_code == 200
        emu.reset()
        assert send(emu, "GET", LIST_PATH).status_code == 200  # constructor credentials survive a reset
    auth_file = tmp_path / "auth.json"
    auth_file.write_text(json.dumps(dict(CREDENTIALS, tokens=[STATIC_TOKEN])), encoding="utf-8")
    with running_cli(tmp_path / "port", "--auth-file", str(auth_file), "--token", "cli-token") as (_process, port, _line):

        class Running:
            url = "http://127.0.0.1:%d" % port

        assert send(Running, "GET", LIST_PATH).status_code == 200
        for token in ("cli-token", STATIC_TOKEN):
            assert requests.get(Running.url + LIST_PATH, headers={"X-Auth-Token": token}, timeout=5).status_code == 200
        assert issue_token(Running).status_code == 201
    bad = tmp_path / "bad.json"
    bad.write_text('{"access_keys": {"AK": {}}}', encoding="utf-8")
    result = run_cli("--port", "0", "--auth-file", str(bad))
    assert result.returncode == 2 and "secret_key" in result.stderr
