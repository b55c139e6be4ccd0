# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iam_token through main(): one IAM call, the token returned, input errors before any request."""

from __future__ import annotations

import json
import secrets

import pytest
import responses
import yaml

from ansible_collections.hwcloud.dataarts.plugins.modules import iam_token as module
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import DROP
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.credentials import PASSWORD, password_params

IAM_URL = "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens"
EXPIRES = "2026-11-29T09:00:00.000000Z"


def iam_answers(mocked, token, url=IAM_URL):
    mocked.add(responses.POST, url, status=201, headers={"X-Subject-Token": token}, json={"token": {"expires_at": EXPIRES}})


@pytest.mark.parametrize("check_mode", [False, True])
def test_token_returned(run_module, mocked, check_mode):
    token = "MIIT-" + secrets.token_urlsafe(64)
    iam_answers(mocked, token)
    result = run_module(module, password_params(), check_mode=check_mode)
    assert result["changed"] is False
    assert result["token"] == token
    assert result["expires_at"] == EXPIRES
    assert len(mocked.calls) == 1
    body = json.loads(mocked.calls[0].request.body)
    assert body["auth"]["scope"] == {"project": {"name": "cn-north-4"}}
    assert body["auth"]["identity"]["password"]["user"] == {"name": "alice", "password": PASSWORD, "domain": {"name": "acme"}}


def test_scoped_to_project_id(run_module, mocked):
    iam_answers(mocked, "tok-" + secrets.token_hex(20))
    run_module(module, password_params(project_id="proj-1"))
    assert json.loads(mocked.calls[0].request.body)["auth"]["scope"] == {"project": {"id": "proj-1"}}


def test_other_auth_options_are_ignored(run_module, mocked):
    token = "tok-" + secrets.token_hex(20)
    iam_answers(mocked, token)
    result = run_module(module, password_params(auth_token="some-other-token", access_key="AK", secret_key="SK-" + secrets.token_hex(8)))
    assert result["token"] == token
    assert "X-Auth-Token" not in mocked.calls[0].request.headers
    assert "Authorization" not in mocked.calls[0].request.headers


def test_environment_with_v3_auth_url(run_module, mocked, monkeypatch):
    token = "tok-" + secrets.token_hex(20)
    monkeypatch.setenv("HW_AUTH_URL", "https://iam.example.test/v3")
    monkeypatch.setenv("HW_USER_NAME", "alice")
    monkeypatch.setenv("HW_PASSWORD", PASSWORD)
    monkeypatch.setenv("HW_DOMAIN_NAME", "acme")
    monkeypatch.setenv("HW_PROJECT_ID", "proj-env")
    iam_answers(mocked, token, url="https://iam.example.test/v3/auth/tokens")
    result = run_module(module, {})
    assert result["token"] == token
    assert mocked.calls[0].request.url == "https://iam.example.test/v3/auth/tokens"
    assert json.loads(mocked.calls[0].request.body)["auth"]["scope"] == {"project": {"id": "proj-env"}}


@pytest.mark.parametrize(
    "over, named",
    [
        ({"password": DROP}, "password"),
        ({"password": ""}, "password"),
        ({"user_name": DROP}, "user_name"),
        ({"domain_name": "  "}, "domain_name"),
        ({"user_name": DROP, "password": DROP, "domain_name": DROP, "auth_token": "MIIT-" + "x" * 40}, "user_name, password, domain_name"),
    ],
)
def test_missing_password_options_fail_without_a_request(run_module, mocked, over, named):
    result = run_module(module, password_params(**over))
    assert result["failed"] is True
    assert "iam_token needs {0}".format(named) in result["msg"]
    assert len(mocked.calls) == 0


@pytest.mark.parametrize(
    "over, text",
    [
        ({"region": DROP}, "project_id"),
        ({"region": DROP, "project_id": "proj-1"}, "iam_endpoint"),
        ({"iam_endpoint": "iam.example.test"}, "iam_endpoint must be"),
        ({"api_timeout": 0}, "api_timeout"),
        ({"region": "CN_NORTH"}, "region must be"),
    ],
)
def test_other_bad_input_fails_without_a_request(run_module, mocked, over, text):
    result = run_module(module, password_params(**over))
    assert result["failed"] is True
    assert text in result["msg"]
    assert len(mocked.calls) == 0


def test_refused_password_names_user_and_domain_only(run_module, mocked, capsys):
    mocked.add(
        responses.POST,
        IAM_URL,
        status=401,
        headers={"X-Request-Id": "iam-rid-1"},
        json={"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}},
    )
    result = run_module(module, password_params())
    assert result["failed"] is True
    assert "'alice'" in result["msg"] and "'acme'" in result["msg"]
    assert "401" in result["msg"] and "iam-rid-1" in result["msg"]
    # A leaked password would show as Ansible's mask.
    assert "********" not in result["msg"]
    assert PASSWORD not in result["msg"]
    assert capsys.readouterr().out == ""
    assert len(mocked.calls) == 1


# The hwc_* modules' names (community.general) for the shared options.
@pytest.mark.parametrize(
    "alias, option, value",
    [("user", "user_name", "bob"), ("domain", "domain_name", "other-domain"), ("identity_endpoint", "iam_endpoint", "https://iam.example.test/v3")],
)
def test_aliases_of_the_password_options(run_module, mocked, alias, option, value):
    url = "https://iam.example.test/v3/auth/tokens" if option == "iam_endpoint" else IAM_URL
    token = "tok-" + secrets.token_hex(20)
    iam_answers(mocked, token, url=url)
    result = run_module(module, password_params(**{option: DROP, alias: value}))
    assert result["token"] == token, result
    assert mocked.calls[0].request.url == url
    user = json.loads(mocked.calls[0].request.body)["auth"]["identity"]["password"]["user"]
    expected = {"name": "alice", "password": PASSWORD, "domain": {"name": "acme"}}
    if option == "user_name":
        expected["name"] = value
    if option == "domain_name":
        expected["domain"] = {"name": value}
    assert user == expected


def documented_as_ignored():
    """The options iam_token's own documentation marks as ignored (it overrides their shared descriptions)."""
    options = yaml.safe_load(module.DOCUMENTATION)["options"]
    return sorted(name for name, spec in options.items() if spec["description"][0].startswith("Ignored by this module"))


@pytest.mark.parametrize("option", documented_as_ignored())
def test_each_option_documented_as_ignored_is_ignored(run_module, mocked, option):
    """A value that would fail the task (or change the request) if the option were used changes nothing."""
    token = "tok-" + secrets.token_hex(20)
    iam_answers(mocked, token)
    result = run_module(module, password_params(**{option: "unusable value\twith a tab"}))
    assert result["token"] == token, result
    assert result["warning_texts"] == []
    request = mocked.calls[0].request
    assert request.url == IAM_URL
    assert not {"X-Auth-Token", "Authorization", "X-Security-Token", "X-Project-Id"} & set(request.headers)
