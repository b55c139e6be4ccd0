# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication end to end (issue 3): every method against the emulator, from options and from the environment.

The emulator verifies AK/SK signatures with an implementation of its own and issues IAM tokens on the same port
(POST /v3/auth/tokens, GET /v3/projects). Every run is at -vvvv, and its output (and every recorded result) is
scanned for every secret: the long random test credentials and the tokens the emulator's IAM issued during the run.
The request log shows how each run authenticated (header names only) and how often IAM was called.
"""

from __future__ import annotations

import json
import secrets

import pytest
from conftest import TOKEN  # pylint: disable=import-error
from seed import DEMO_ID, ENV_OF, INFO  # pylint: disable=import-error

INSTANCE = "hwcloud.dataarts.fabric_service_instance"
IAM_TOKEN = "hwcloud.dataarts.iam_token"
WORKSPACE = "ws-demo"
REGION = "cn-north-4"
USER = "itest-user"
DOMAIN = "itest-domain"

AK = "AKIT" + secrets.token_hex(10).upper()
SK = "SK-" + secrets.token_urlsafe(40)
TEMP_AK = "AKTMP" + secrets.token_hex(10).upper()
TEMP_SK = "SK-" + secrets.token_urlsafe(40)
SECURITY_TOKEN = "gQpjbi1ub3J0aC00" + secrets.token_urlsafe(200)
PASSWORD = "Pw-" + secrets.token_urlsafe(32)
PROJECT = secrets.token_hex(16)
SECRETS = (AK, SK, TEMP_AK, TEMP_SK, SECURITY_TOKEN, PASSWORD, TOKEN)

CREDENTIALS = {
    "access_keys": {
        AK: {"secret_key": SK, "projects": {REGION: PROJECT}},
        TEMP_AK: {"secret_key": TEMP_SK, "security_token": SECURITY_TOKEN, "projects": {REGION: PROJECT}},
    },
    "iam_users": [{"user_name": USER, "password": PASSWORD, "domain_name": DOMAIN, "projects": {REGION: PROJECT}}],
}


@pytest.fixture
def iam(ctl):
    """The emulator (reset by ctl) with the test credentials; the harness's static token stays accepted."""
    ctl.config(**CREDENTIALS)
    return ctl


def run(ansible, tasks, options=None, source="options", play=None):
    """ansible-playbook at -vvvv, the connection and credentials either in every task's arguments or in HW_* variables."""
    options = dict(options or {})
    env = {}
    if source == "env":
        env = {ENV_OF[name]: value for name, value in options.items()}
        options = {}
    tasks = [
        dict(task, **{module: dict(args, **options)}) if module else task
        for task, module, args in ((task, _module_of(task), _args_of(task)) for task in tasks)
    ]
    return ansible.playbook(tasks, verbosity=4, env=env, connection=False, play=play)


def _module_of(task):
    return next((key for key in task if key.startswith("hwcloud.dataarts.")), None)


def _args_of(task):
    module = _module_of(task)
    return task[module] if module else None


def assert_no_secret(result, ctl, extra=()):
    """No test secret, and no token the emulator issued, in anything the run printed or recorded."""
    issued = [item["token"] for item in ctl.call("GET", "tokens")["tokens"]]
    printed = result.stdout + result.stderr + json.dumps(result.results)
    assert "task under test" in printed or result.results, result
    for secret in SECRETS + tuple(issued) + tuple(extra):
        assert secret not in printed, "a secret was printed"
    return issued


def assert_ok(result):
    assert result.rc == 0, "rc={0}\nlast result: {1}\noutput:\n{2}".format(
        result.rc, json.dumps(result.results[-1:], indent=1)[:4000], result.stdout[-4000:] + result.stderr[-2000:]
    )


def log(ctl):
    return ctl.requests(api_only=False)


def fabric(entries):
    return [entry for entry in entries if entry["path"].startswith("/v1/")]


def iam_calls(entries, path):
    return [entry for entry in entries if entry["path"] == path]


def update_task():
    """An update without waiting: two Fabric requests (a read and a PUT) in one task."""
    return [{"name": "task under test", INSTANCE: {"workspace_id": WORKSPACE, "instance_id": DEMO_ID, "description": "authenticated", "wait": False}}]


# --------------------------------------------------------------------------------------------- each method

METHODS = {
    "token": {"auth_token": TOKEN},
    "aksk": {"access_key": AK, "secret_key": SK, "project_id": PROJECT},
    "aksk-lookup": {"access_key": AK, "secret_key": SK, "region": REGION},
    "temporary-aksk": {"access_key": TEMP_AK, "secret_key": TEMP_SK, "security_token": SECURITY_TOKEN, "project_id": PROJECT},
    "password": {"user_name": USER, "password": PASSWORD, "domain_name": DOMAIN},
}


@pytest.mark.parametrize("source", ["options", "env"])
@pytest.mark.parametrize("method", sorted(METHODS))
def test_each_method_end_to_end(ansible, iam, emulator, method, source):
    options = dict(METHODS[method], endpoint=emulator.url)
    if method in ("aksk-lookup", "password"):
        # HW_AUTH_URL is often written with /v3 (Terraform set-ups), the option without it: both reach /v3/... .
        options["iam_endpoint"] = emulator.url + ("/v3" if source == "env" else "")
    if method == "password":
        # The token's scope: the project by id (options), the project named after the region (environment).
        options.update({"project_id": PROJECT} if source == "options" else {"region": REGION})
    result = run(ansible, update_task(), options, source)
    assert_ok(result)
    assert result.last["changed"] is True
    issued = assert_no_secret(result, iam)
    entries = log(iam)
    calls = fabric(entries)
    assert [(entry["method"], entry["status"]) for entry in calls] == [("GET", 200), ("PUT", 202)], calls
    tokens = iam_calls(entries, "/v3/auth/tokens")
    lookups = iam_calls(entries, "/v3/projects")
    if method == "password":
        # One token for the task (not one per request), sent as X-Auth-Token.
        assert [entry["status"] for entry in tokens] == [201]
        assert len(issued) == 1
        assert all("x-auth-token" in entry["headers"] and "authorization" not in entry["headers"] for entry in calls)
    else:
        assert tokens == [] and issued == []
    if method == "aksk-lookup":
        # The project is looked up once for the task, signed, by region name.
        assert [(entry["status"], entry["query"]) for entry in lookups] == [(200, {"name": [REGION]})]
        assert all("authorization" in entry["headers"] and "x-project-id" not in entry["headers"] for entry in lookups)
    else:
        assert lookups == []
    if method == "token":
        assert all("x-auth-token" in entry["headers"] and "authorization" not in entry["headers"] for entry in calls)
    if "aksk" in method:
        for entry in calls:
            assert {"authorization", "x-sdk-date", "x-project-id", "host"} <= set(entry["headers"]), entry
            assert ("x-security-token" in entry["headers"]) == (method == "temporary-aksk"), entry
            assert "x-auth-token" not in entry["headers"]


def test_iam_token_feeds_module_defaults_with_one_iam_call(ansible, iam, emulator):
    """iam_token once, then every task of the block (a loop too) with its token: one IAM call for the whole play."""
    fetch = {
        "name": "Fetch one token for the play",
        IAM_TOKEN: {"iam_endpoint": emulator.url, "user_name": USER, "password": PASSWORD, "domain_name": DOMAIN, "region": REGION},
        "no_log": True,
        "register": "iam",
    }
    use = {
        "name": "Every Fabric task uses it",
        "module_defaults": {"group/hwcloud.dataarts.fabric": {"endpoint": emulator.url, "auth_token": "{{ iam.token }}"}},
        "block": [
            {"name": "task under test: read", INFO: {"workspace_id": WORKSPACE, "instance_id": DEMO_ID}},
            {
                "name": "task under test: read in a loop",
                INFO: {"workspace_id": WORKSPACE, "name": "{{ item }}"},
                "loop": ["demo-llm", "demo-llm-canary", "Demo Chat Assistant"],
            },
            {
                "name": "task under test: update",
                INSTANCE: {"workspace_id": WORKSPACE, "instance_id": DEMO_ID, "description": "one token", "wait": False},
            },
            {"name": "The token expires in the future", "ansible.builtin.assert": {"that": ["iam.expires_at is string"]}},
        ],
    }
    tasks = [fetch, use]
    result = ansible.playbook(tasks, verbosity=4, connection=False)
    assert_ok(result)
    assert len(assert_no_secret(result, iam)) == 1
    entries = log(iam)
    assert [entry["status"] for entry in iam_calls(entries, "/v3/auth/tokens")] == [201]
    issued = iam.call("GET", "tokens")["tokens"]
    assert issued[0]["user_name"] == USER and issued[0]["project"] == {"id": PROJECT, "name": REGION}
    calls = fabric(entries)
    # (A name with spaces is refused by the List API's filter, 400, and listed unfiltered: not an auth matter.)
    assert len(calls) >= 5 and all(entry["status"] in (200, 202, 400) for entry in calls), calls
    assert all("x-auth-token" in entry["headers"] for entry in calls)
    assert [entry["body"] for entry in calls if entry["method"] == "PUT"] == [{"description": "one token"}]


# --------------------------------------------------------------------------------------------- failures


def test_wrong_secret_key_fails_with_apig_0301(ansible, iam, emulator):
    wrong = "SK-" + secrets.token_urlsafe(40)
    result = run(
        ansible,
        [{"name": "task under test", INFO: {"workspace_id": WORKSPACE, "instance_id": DEMO_ID}}],
        {"endpoint": emulator.url, "access_key": AK, "secret_key": wrong, "project_id": PROJECT},
    )
    assert result.rc != 0
    assert result.results[-1]["outcome"] == "failed", result
    failure = result.last
    assert "HTTP 401" in failure["msg"] and "APIG.0301" in failure["msg"] and "verify aksk signature fail" in failure["msg"]
    assert failure["error"]["error_code"] == "APIG.0301"
    assert "Traceback" not in result.stdout + result.stderr
    assert_no_secret(result, iam, extra=(wrong,))
    assert [entry["status"] for entry in log(iam)] == [401]  # not retried


def test_wrong_password_or_domain_names_user_and_domain_only(ansible, iam, emulator):
    tasks = [
        {
            "name": "task under test: wrong password",
            INFO: {"workspace_id": WORKSPACE, "password": "Pw-" + secrets.token_urlsafe(32)},
            "ignore_errors": True,
        },
        {"name": "task under test: wrong domain", INFO: {"workspace_id": WORKSPACE, "domain_name": "other-domain"}, "ignore_errors": True},
    ]
    env = {
        "HW_FABRIC_ENDPOINT": emulator.url,
        "HW_AUTH_URL": emulator.url + "/v3",
        "HW_USER_NAME": USER,
        "HW_PASSWORD": PASSWORD,
        "HW_DOMAIN_NAME": DOMAIN,
        "HW_REGION_NAME": REGION,
    }
    result = ansible.playbook(tasks, verbosity=4, env=env, connection=False)
    assert result.rc == 0, result  # ignore_errors
    wrong_password = tasks[0][INFO]["password"]
    assert [item["outcome"] for item in result.results] == ["failed", "failed"], result
    for item, domain in zip(result.results, (DOMAIN, "other-domain")):
        msg = item["result"]["msg"]
        assert "IAM refused the password authentication of user '{0}' of domain '{1}'".format(USER, domain) in msg, msg
        assert "HTTP 401" in msg and "The username or password is wrong." in msg
    assert_no_secret(result, iam, extra=(wrong_password,))
    entries = log(iam)
    assert [(entry["path"], entry["status"]) for entry in entries] == [("/v3/auth/tokens", 401)] * 2
    assert all(entry["body"] == "<redacted>" for entry in entries)


def test_no_complete_method_fails_before_any_request(ansible, iam, emulator):
    cases = {
        "nothing": {},
        "an AK without its SK": {"access_key": AK},
        "an SK without its AK": {"secret_key": SK, "security_token": SECURITY_TOKEN},
        "a user without a password": {"user_name": USER, "domain_name": DOMAIN},
        "a user and password without a domain": {"user_name": USER, "password": PASSWORD},
        "only empty strings": {"auth_token": "", "access_key": "", "secret_key": "", "password": ""},
    }
    tasks = [
        {
            "name": "task under test: " + name,
            INFO: dict(options, workspace_id=WORKSPACE, endpoint=emulator.url, iam_endpoint=emulator.url, region=REGION),
            "ignore_errors": True,
        }
        for name, options in cases.items()
    ]
    result = ansible.playbook(tasks, verbosity=4, connection=False)
    assert [item["outcome"] for item in result.results] == ["failed"] * len(cases), result
    for item, options in zip(result.results, cases.values()):
        msg = item["result"]["msg"]
        assert msg.startswith("no complete authentication method"), msg
        given = sorted(name for name, value in options.items() if value)
        assert ("(given: {0})".format(", ".join(given)) in msg) if given else ("given" not in msg), msg
    assert_no_secret(result, iam)
    assert log(iam) == []


def test_stray_parts_of_lower_methods_are_ignored_with_a_warning(ansible, iam, emulator):
    tasks = [
        {
            "name": "task under test: token beside stray parts",
            INFO: {"workspace_id": WORKSPACE, "instance_id": DEMO_ID, "auth_token": TOKEN, "secret_key": SK, "user_name": USER},
        },
        {
            "name": "task under test: AK/SK beside a password method",
            INFO: {
                "workspace_id": WORKSPACE,
                "instance_id": DEMO_ID,
                "access_key": AK,
                "secret_key": SK,
                "project_id": PROJECT,
                "user_name": USER,
                "password": PASSWORD,
                "domain_name": DOMAIN,
            },
        },
        {
            "name": "task under test: an empty token is unset",
            INFO: {"workspace_id": WORKSPACE, "instance_id": DEMO_ID, "access_key": AK, "secret_key": SK, "project_id": PROJECT},
        },
    ]
    # The empty token comes from the environment: HW_AUTH_TOKEN="" counts as unset, no warning.
    result = ansible.playbook(tasks, verbosity=4, env={"HW_FABRIC_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": ""}, connection=False)
    assert_ok(result)
    warnings = [item["result"].get("warnings", []) for item in result.results]
    assert warnings[0] == ["authentication uses auth_token; ignoring secret_key, user_name"]
    assert warnings[1] == ["authentication uses access_key; ignoring domain_name, password, user_name"]
    assert warnings[2] == []
    assert "[WARNING]: authentication uses auth_token; ignoring secret_key, user_name" in result.stdout + result.stderr
    assert_no_secret(result, iam)
    calls = log(iam)
    assert len(calls) == 3 and all(entry["status"] == 200 for entry in calls)
    assert "x-auth-token" in calls[0]["headers"] and "authorization" in calls[1]["headers"] and "authorization" in calls[2]["headers"]


# --------------------------------------------------------------------------------------------- iam_token, aliases


def test_iam_token_under_group_defaults_of_other_methods(ansible, iam, emulator):
    """The group's defaults also set the Fabric endpoint, a token and an AK: iam_token ignores them and fetches a token."""
    defaults = {
        "endpoint": emulator.url,
        "auth_token": TOKEN,
        "access_key": AK,
        "iam_endpoint": emulator.url,
        "region": REGION,
        "user_name": USER,
        "password": PASSWORD,
        "domain_name": DOMAIN,
    }
    tasks = [
        {"name": "task under test", IAM_TOKEN: {}, "no_log": True, "register": "iam"},
        {
            "name": "A token came back",
            "ansible.builtin.assert": {"that": ["iam.token is string", "iam.token | length > 0", "iam.expires_at is string"]},
        },
        {"name": "Fabric accepts it", INFO: {"workspace_id": WORKSPACE, "instance_id": DEMO_ID, "auth_token": "{{ iam.token }}"}},
    ]
    result = ansible.playbook(tasks, verbosity=4, connection=False, play={"module_defaults": {"group/hwcloud.dataarts.fabric": defaults}})
    assert_ok(result)
    assert [item["outcome"] for item in result.results] == ["ok", "ok", "ok"], result
    issued = assert_no_secret(result, iam)
    assert len(issued) == 1
    entries = log(iam)
    tokens = iam_calls(entries, "/v3/auth/tokens")
    # One IAM call, unsigned and without the group's token; then one read that carries the issued token.
    assert [entry["status"] for entry in tokens] == [201]
    assert not {"x-auth-token", "authorization"} & set(tokens[0]["headers"])
    issued_to = iam.call("GET", "tokens")["tokens"][0]
    assert issued_to["user_name"] == USER and issued_to["project"]["name"] == REGION
    reads = fabric(entries)
    assert [(entry["method"], entry["status"]) for entry in reads] == [("GET", 200)]
    assert "x-auth-token" in reads[0]["headers"]


def test_aliases_of_the_hwc_modules(ansible, iam, emulator):
    """user, domain and identity_endpoint, as community.general's hwc_* modules name them."""
    options = {
        "endpoint": emulator.url,
        "identity_endpoint": emulator.url + "/v3",
        "user": USER,
        "password": PASSWORD,
        "domain": DOMAIN,
        "project_id": PROJECT,
    }
    result = run(ansible, [{"name": "task under test", INFO: {"workspace_id": WORKSPACE, "instance_id": DEMO_ID}}], options)
    assert_ok(result)
    assert [instance["id"] for instance in result.last["instances"]] == [DEMO_ID]
    assert len(assert_no_secret(result, iam)) == 1
    entries = log(iam)
    assert [entry["status"] for entry in iam_calls(entries, "/v3/auth/tokens")] == [201]
    assert iam.call("GET", "tokens")["tokens"][0]["user_name"] == USER
    assert all("x-auth-token" in entry["headers"] for entry in fabric(entries))
