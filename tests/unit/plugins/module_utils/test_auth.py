# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication: which method, the errors before any request, IAM password tokens and project look-up."""

from __future__ import annotations

import json
import secrets
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth import METHODS, build_auth, select_method
from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth_methods import (
    AkSkAuth,
    AkSkMethod,
    PasswordMethod,
    TokenAuth,
    TokenMethod,
    fetch_password_token,
    lookup_project_id,
)
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricAuthError, FabricInputError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._http import FabricClient
from ansible_collections.hwcloud.dataarts.plugins.module_utils._retry import Backoff
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.credentials import ACCESS_KEY, PASSWORD, SECRET_KEY, aksk, password_params

IAM = "https://iam.cn-north-4.myhuaweicloud.com"
TOKENS_URL = IAM + "/v3/auth/tokens"
PROJECTS_URL = IAM + "/v3/projects"
EXPIRES = "2026-11-29T09:00:00.000000Z"


@pytest.fixture
def new_client(fake_time):
    made = []

    def factory(base_url, auth=None):
        made.append((base_url, auth))
        return FabricClient(base_url, auth=auth, retries=2, clock=fake_time.clock, sleep=fake_time.sleep, backoff=Backoff(rng=lambda: 0.0))

    factory.made = made
    return factory


def token_response(mocked, token="iam-token-value", status=201, url=TOKENS_URL):
    mocked.add(
        responses.POST, url, status=status, headers={"X-Subject-Token": token}, json={"token": {"expires_at": EXPIRES, "methods": ["password"]}}
    )


# the methods


def test_methods_in_order_of_precedence_with_their_options():
    assert METHODS == (TokenMethod, AkSkMethod, PasswordMethod)
    assert [(method.name, method.options()) for method in METHODS] == [
        ("auth_token", ("auth_token",)),
        ("access_key", ("access_key", "secret_key", "security_token")),
        ("password", ("user_name", "password", "domain_name")),
    ]


@pytest.mark.parametrize(
    "method, params, missing",
    [
        (TokenMethod, {"auth_token": "t"}, []),
        (TokenMethod, {"auth_token": " \n"}, ["auth_token"]),
        (AkSkMethod, {"access_key": "ak", "secret_key": "sk"}, []),
        (AkSkMethod, {"access_key": "ak", "security_token": "st"}, ["secret_key"]),
        (PasswordMethod, {"user_name": "u", "password": "p", "domain_name": "d"}, []),
        (PasswordMethod, {"password": "p", "domain_name": ""}, ["user_name", "domain_name"]),
    ],
)
def test_a_method_is_complete_when_its_required_options_are_set(method, params, missing):
    assert method.missing(params) == missing
    assert method.is_complete(params) is (not missing)


def test_the_error_says_how_to_complete_each_method():
    with pytest.raises(FabricInputError) as caught:
        select_method({"access_key": "AKONLY"})
    assert str(caught.value) == (
        "no complete authentication method (given: access_key): set auth_token (HW_AUTH_TOKEN), or access_key and secret_key "
        "(HW_ACCESS_KEY, HW_SECRET_KEY), or user_name, password and domain_name (HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME)"
    )


# select_method


def test_token_wins_over_everything_and_warns_about_the_rest():
    method, warnings = select_method(
        {"auth_token": "t", "access_key": "ak", "secret_key": "sk", "security_token": "st", "user_name": "u", "password": "p", "domain_name": "d"}
    )
    assert method == TokenMethod
    assert len(warnings) == 1
    for name in ("access_key", "secret_key", "security_token", "user_name", "password", "domain_name"):
        assert name in warnings[0]
    assert "auth_token" in warnings[0]


def test_aksk_wins_over_password():
    method, warnings = select_method(
        {"access_key": "ak", "secret_key": "sk", "security_token": "st", "user_name": "u", "password": "p", "domain_name": "d"}
    )
    assert method == AkSkMethod
    assert len(warnings) == 1
    assert "user_name" in warnings[0] and "password" in warnings[0] and "domain_name" in warnings[0]
    assert "security_token" not in warnings[0]


def test_password_alone():
    assert select_method({"user_name": "u", "password": "p", "domain_name": "d"}) == (PasswordMethod, [])


def test_single_methods_have_no_warnings():
    assert select_method({"auth_token": "t"}) == (TokenMethod, [])
    assert select_method({"access_key": "ak", "secret_key": "sk", "security_token": "st"}) == (AkSkMethod, [])


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_empty_strings_are_unset(blank):
    method, warnings = select_method({"auth_token": blank, "access_key": "ak", "secret_key": "sk", "user_name": blank})
    assert method == AkSkMethod
    assert warnings == []


def test_empty_secret_key_makes_aksk_incomplete():
    method, warnings = select_method({"access_key": "ak", "secret_key": "", "user_name": "u", "password": "p", "domain_name": "d"})
    assert method == PasswordMethod
    assert len(warnings) == 1 and "access_key" in warnings[0]


def test_stray_lower_parts_are_named_in_a_warning():
    method, warnings = select_method({"auth_token": "t", "user_name": "u", "secret_key": SECRET_KEY})
    assert method == TokenMethod
    assert len(warnings) == 1
    assert "user_name" in warnings[0] and "secret_key" in warnings[0]
    assert "password" not in warnings[0] and "domain_name" not in warnings[0]
    assert SECRET_KEY not in warnings[0]


@pytest.mark.parametrize(
    "params, named",
    [
        ({}, []),
        ({"access_key": "AKONLY"}, ["access_key"]),
        ({"secret_key": SECRET_KEY}, ["secret_key"]),
        ({"user_name": "alice", "domain_name": "acme"}, ["domain_name", "user_name"]),
        ({"user_name": "alice", "password": PASSWORD}, ["password", "user_name"]),
        ({"auth_token": "", "access_key": "", "secret_key": ""}, []),
    ],
)
def test_no_complete_method_is_an_input_error(params, named):
    with pytest.raises(FabricInputError) as caught:
        select_method(params)
    text = str(caught.value)
    assert "no complete authentication method" in text
    for name in named:
        assert name in text
    if not named:
        assert "given" not in text
    assert PASSWORD not in text
    assert SECRET_KEY not in text


@pytest.mark.parametrize(
    "params", [{}, {"access_key": "AKONLY"}, {"user_name": "alice", "domain_name": "acme"}, {"user_name": "alice", "password": PASSWORD}]
)
def test_incomplete_auth_fails_before_any_request(mocked, new_client, params):
    registered = []
    with pytest.raises(FabricInputError) as caught:
        build_auth(dict(params, region="cn-north-4"), new_client, registered.append)
    assert len(mocked.calls) == 0
    assert new_client.made == []
    assert registered == []
    assert PASSWORD not in str(caught.value)


# fetch_password_token


def test_password_token_scoped_by_project_id(mocked, new_client):
    token_response(mocked)
    token, expires_at = fetch_password_token(new_client, password_params(project_id="proj-1"))
    assert (token, expires_at) == ("iam-token-value", EXPIRES)
    assert len(mocked.calls) == 1
    request = mocked.calls[0].request
    assert request.method == "POST"
    assert request.url == TOKENS_URL
    assert "X-Auth-Token" not in request.headers
    assert json.loads(request.body) == {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": {"name": "alice", "password": PASSWORD, "domain": {"name": "acme"}}}},
            "scope": {"project": {"id": "proj-1"}},
        }
    }


def test_password_token_scoped_by_region_name(mocked, new_client):
    token_response(mocked)
    fetch_password_token(new_client, password_params(project_id=""))
    assert json.loads(mocked.calls[0].request.body)["auth"]["scope"] == {"project": {"name": "cn-north-4"}}


def test_password_token_without_scope_is_an_input_error(mocked, new_client):
    with pytest.raises(FabricInputError) as caught:
        fetch_password_token(new_client, password_params(region=None, iam_endpoint="https://iam.example.test"))
    assert "project_id" in str(caught.value)
    assert len(mocked.calls) == 0


def test_password_token_refused(mocked, new_client):
    mocked.add(
        responses.POST,
        TOKENS_URL,
        status=401,
        headers={"X-Request-Id": "iam-rid"},
        json={"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}},
    )
    with pytest.raises(FabricAuthError) as caught:
        fetch_password_token(new_client, password_params())
    text = str(caught.value)
    assert "'alice'" in text and "'acme'" in text
    assert "401" in text
    assert "The username or password is wrong." in text
    assert "iam-rid" in text
    assert PASSWORD not in text
    assert PASSWORD not in repr(caught.value)
    assert caught.value.__cause__ is None
    assert len(mocked.calls) == 1


def test_password_token_without_subject_token_header(mocked, new_client):
    mocked.add(responses.POST, TOKENS_URL, status=201, json={"token": {"expires_at": EXPIRES}})
    with pytest.raises(FabricAuthError) as caught:
        fetch_password_token(new_client, password_params())
    assert "X-Subject-Token" in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_password_token_request_is_retried_as_idempotent(mocked, new_client, fake_time):
    mocked.add(responses.POST, TOKENS_URL, status=500, json={"error": {"code": 500, "message": "internal"}})
    token_response(mocked)
    assert fetch_password_token(new_client, password_params())[0] == "iam-token-value"
    assert len(mocked.calls) == 2
    assert len(fake_time.sleeps) == 1


@pytest.mark.parametrize("iam_endpoint", ["https://iam.example.test/v3", "https://iam.example.test/v3/", "https://iam.example.test"])
def test_auth_url_with_or_without_v3(mocked, new_client, iam_endpoint):
    token_response(mocked, url="https://iam.example.test/v3/auth/tokens")
    fetch_password_token(new_client, password_params(iam_endpoint=iam_endpoint))
    assert mocked.calls[0].request.url == "https://iam.example.test/v3/auth/tokens"
    assert new_client.made[0][0] == "https://iam.example.test"


# lookup_project_id


def test_lookup_project_id_signed(mocked, new_client):
    mocked.add(responses.GET, PROJECTS_URL, status=200, json={"projects": [{"id": "proj-42", "name": "cn-north-4"}]})
    auth = aksk()
    assert lookup_project_id(new_client, {"region": "cn-north-4"}, auth) == "proj-42"
    request = mocked.calls[0].request
    assert dict(parse_qsl(urlsplit(request.url).query)) == {"name": "cn-north-4"}
    assert request.headers["Authorization"].startswith("SDK-HMAC-SHA256 Access={0}, ".format(ACCESS_KEY))
    assert "X-Sdk-Date" in request.headers
    assert "X-Project-Id" not in request.headers
    assert new_client.made == [(IAM, auth)]


@pytest.mark.parametrize("projects", [[], [{"id": "a"}, {"id": "b"}], [{"name": "cn-north-4"}]])
def test_lookup_project_id_without_a_single_answer(mocked, new_client, projects):
    mocked.add(responses.GET, PROJECTS_URL, status=200, json={"projects": projects})
    with pytest.raises(FabricAuthError) as caught:
        lookup_project_id(new_client, {"region": "cn-north-4"}, aksk())
    assert "project_id" in str(caught.value)
    assert "cn-north-4" in str(caught.value)


def test_lookup_project_id_refused(mocked, new_client):
    mocked.add(responses.GET, PROJECTS_URL, status=403, json={"error_code": "IAM.0002", "error_msg": "forbidden"})
    with pytest.raises(FabricAuthError) as caught:
        lookup_project_id(new_client, {"region": "cn-north-4"}, aksk())
    text = str(caught.value)
    assert "cn-north-4" in text and "403" in text and "IAM.0002" in text
    assert SECRET_KEY not in text


def test_lookup_project_id_needs_a_region(mocked, new_client):
    with pytest.raises(FabricInputError):
        lookup_project_id(new_client, {"region": ""}, aksk())
    assert len(mocked.calls) == 0


# build_auth


def prepared():
    return requests.Request("GET", "https://fabric.test/v1/x", headers={"Content-Type": "application/json"}).prepare()


def test_build_auth_token(mocked, new_client):
    registered = []
    auth, warnings, method = build_auth({"auth_token": "tok-123", "user_name": "u"}, new_client, registered.append)
    assert isinstance(auth, TokenAuth)
    assert method == TokenMethod
    assert len(warnings) == 1 and "user_name" in warnings[0]
    assert auth(prepared()).headers["X-Auth-Token"] == "tok-123"
    assert "tok-123" not in repr(auth)
    assert registered == []
    assert len(mocked.calls) == 0


def test_build_auth_aksk_with_project_id_calls_nobody(mocked, new_client):
    auth, _warnings, method = build_auth(
        {"access_key": "ak", "secret_key": "sk", "project_id": "proj-1", "security_token": ""}, new_client, [].append
    )
    assert method == AkSkMethod
    assert isinstance(auth, AkSkAuth)
    request = auth(prepared())
    assert request.headers["X-Project-Id"] == "proj-1"
    assert "X-Security-Token" not in request.headers
    assert len(mocked.calls) == 0


def test_build_auth_aksk_looks_the_project_up_once(mocked, new_client):
    mocked.add(responses.GET, PROJECTS_URL, status=200, json={"projects": [{"id": "proj-77", "name": "cn-north-4"}]})
    auth, _warnings, _method = build_auth({"access_key": "ak", "secret_key": "sk", "region": "cn-north-4"}, new_client, [].append)
    assert len(mocked.calls) == 1
    assert auth.project_id == "proj-77"
    assert auth(prepared()).headers["X-Project-Id"] == "proj-77"


def test_build_auth_password_registers_the_token(mocked, new_client):
    token = "MIIT" + secrets.token_urlsafe(64)
    token_response(mocked, token=token)
    registered = []
    auth, warnings, method = build_auth(password_params(), new_client, registered.append)
    assert method == PasswordMethod
    assert warnings == []
    assert registered == [token]
    assert auth(prepared()).headers["X-Auth-Token"] == token
    assert len(mocked.calls) == 1
