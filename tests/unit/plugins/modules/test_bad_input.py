# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input to every module: one case per documented constraint on every option, through main().

HTTP is stubbed so that any call fails (``responses`` with nothing registered, and every call counted):
each case must end in a clean failure whose message names the problem, with zero requests sent.
The accepted edges of each constraint are checked too (exactly the one read they need), so the
checks are not stricter than the documentation. The property tests at the end compare the
validators with the documented rules on random text.

The property test of the comparison and PUT-body building (body = exactly the differing updatable
fields; applying it and comparing again yields no change) lives in
tests/unit/plugins/module_utils/test_instance.py::test_property_body_is_exactly_the_difference_and_converges.
"""

from __future__ import annotations

import json
import os
import string

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _validate
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricInputError
from ansible_collections.hwcloud.dataarts.plugins.modules import fabric_service_instance as instance_module
from ansible_collections.hwcloud.dataarts.plugins.modules import fabric_service_instance_info as info_module
from ansible_collections.hwcloud.dataarts.plugins.modules import iam_token as token_module
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import DROP, ENDPOINT, instance, options
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.credentials import (
    IAM,
    PASSWORD,
    SECRET_KEY,
    SECURITY_TOKEN,
    TOKEN,
    named_secrets,
    password_params,
)

FORBIDDEN = "!<>=&'\""

INSTANCE_BASE = {"endpoint": ENDPOINT, "auth_token": TOKEN, "workspace_id": "ws-1", "instance_id": "inst-1", "description": "new"}
INFO_BASE = {"endpoint": ENDPOINT, "auth_token": TOKEN, "workspace_id": "ws-1"}
TOKEN_BASE = password_params(region=DROP, project_id="proj-1", iam_endpoint=IAM)


# ------------------------------------------------------------------------------------------------ the cases
# (overrides of the module's valid base arguments, a fragment the message must hold)

INSTANCE_CASES = (
    [
        # workspace_id: required, 1-36 letters, digits, hyphens
        ({"workspace_id": DROP}, "missing required arguments: workspace_id"),
        ({"workspace_id": ""}, "workspace_id must be 1 to 36"),
        ({"workspace_id": "w" * 37}, "workspace_id must be 1 to 36"),
        ({"workspace_id": "ws_1"}, "workspace_id must be 1 to 36"),
        ({"workspace_id": "ws 1"}, "workspace_id must be 1 to 36"),
        ({"workspace_id": "ws/1"}, "workspace_id must be 1 to 36"),
        ({"workspace_id": "ws-1\n"}, "workspace_id must be 1 to 36"),
        ({"workspace_id": "wš-1"}, "workspace_id must be 1 to 36"),
        ({"workspace_id": ["ws-1"]}, "workspace_id must be 1 to 36"),
        # instance_id (alias id): 1-36 letters, digits, hyphens
        ({"instance_id": ""}, "instance_id must be 1 to 36"),
        ({"instance_id": "i" * 37}, "instance_id must be 1 to 36"),
        ({"instance_id": "inst 1"}, "instance_id must be 1 to 36"),
        ({"instance_id": "inst-1\n"}, "instance_id must be 1 to 36"),
        ({"instance_id": "../inst-1"}, "instance_id must be 1 to 36"),
        ({"instance_id": "inst-1?x=1"}, "instance_id must be 1 to 36"),
        ({"instance_id": DROP, "id": "inst_1"}, "instance_id must be 1 to 36"),
        ({"instance_id": {"id": "inst-1"}}, "instance_id must be 1 to 36"),
        # one of instance_id and name
        ({"instance_id": DROP}, "one of the following is required: instance_id, name"),
        # name: 1-64 letters (CJK too), digits, _ - . and spaces
        ({"name": ""}, "name must be 1 to 64"),
        ({"name": "n" * 65}, "name must be 1 to 64"),
        ({"name": "名" * 65}, "name must be 1 to 64"),
        ({"name": "bad/name"}, "name must be 1 to 64"),
        ({"name": "bad!name"}, "name must be 1 to 64"),
        ({"name": "tab\tname"}, "name must be 1 to 64"),
        ({"name": "demo\n"}, "name must be 1 to 64"),
        ({"name": "emoji \U0001f600"}, "name must be 1 to 64"),
        ({"name": "a@b"}, "name must be 1 to 64"),
        # description: 0-1024 characters, none of ! < > = & ' "
        ({"description": "d" * 1025}, "description must be at most 1024 characters, got 1025"),
        ({"description": {"text": "x"}}, "description must not contain"),
    ]
    + [({"description": "a{0}b".format(char)}, "description must not contain") for char in FORBIDDEN]
    + [
        # source: a dict; id required (1-36), version_id (1-36); no other keys
        ({"source": "model-1"}, "dictionary requested"),
        ({"source": ["model-1"]}, "source must be a dictionary with the keys id, version_id, got ['model-1'] (list)"),
        ({"source": 7}, "source must be a dictionary with the keys id, version_id, got 7 (int)"),
        ({"source": {"version_id": "ver-1"}}, "missing required arguments: id"),
        ({"source": {"id": ""}}, "source.id must be 1 to 36"),
        ({"source": {"id": "m" * 37}}, "source.id must be 1 to 36"),
        ({"source": {"id": "model 1"}}, "source.id must be 1 to 36"),
        ({"source": {"id": ["model-1"]}}, "source.id must be 1 to 36"),
        ({"source": {"id": "model-1", "version_id": ""}}, "source.version_id must be 1 to 36"),
        ({"source": {"id": "model-1", "version_id": "v" * 37}}, "source.version_id must be 1 to 36"),
        ({"source": {"id": "model-1", "version_id": "v.1"}}, "source.version_id must be 1 to 36"),
        ({"source": {"id": "model-1", "version": "ver-1"}}, "source.version"),
        # resource: a dict; min >= 1; max 1-1000 and >= min; spec_code; integers are integers; no other keys
        ({"resource": "four"}, "dictionary requested"),
        ({"resource": 4}, "resource must be a dictionary with the keys max, min, spec_code, got 4 (int)"),
        ({"resource": True}, "resource must be a dictionary with the keys max, min, spec_code, got True (bool)"),
        ({"resource": 2.5}, "resource must be a dictionary with the keys max, min, spec_code, got 2.5 (float)"),
        ({"resource": ["max", 4]}, "resource must be a dictionary"),
        ({"resource": [{"max": 4}]}, "resource must be a dictionary"),
        ({"resource": {"min": 0}}, "resource.min must be at least 1"),
        ({"resource": {"min": -3}}, "resource.min must be at least 1"),
        ({"resource": {"max": 0}}, "resource.max must be between 1 and 1000"),
        ({"resource": {"max": -1}}, "resource.max must be between 1 and 1000"),
        ({"resource": {"max": 1001}}, "resource.max must be between 1 and 1000"),
        ({"resource": {"min": 3, "max": 2}}, "resource.max (2) must not be below resource.min (3)"),
        ({"resource": {"max": "many"}}, "cannot be converted to an int"),
        ({"resource": {"max": 2.5}}, "cannot be converted to an int"),
        ({"resource": {"min": "one"}}, "cannot be converted to an int"),
        ({"resource": {"max": True}}, "resource.max must be an integer, got True"),
        ({"resource": {"min": False}}, "resource.min must be an integer, got False"),
        ({"resource": {"spec_code": ""}}, "resource.spec_code must be"),
        ({"resource": {"spec_code": "bad code"}}, "resource.spec_code must be"),
        ({"resource": {"spec_code": "s" * 129}}, "resource.spec_code must be"),
        ({"resource": {"spec_code": "mu/llama"}}, "resource.spec_code must be"),
        ({"resource": {"maxx": 3}}, "resource.maxx"),
        # endpoint_id: 1-36 letters, digits, hyphens
        ({"endpoint_id": ""}, "endpoint_id must be 1 to 36"),
        ({"endpoint_id": "e" * 37}, "endpoint_id must be 1 to 36"),
        ({"endpoint_id": "ep 1"}, "endpoint_id must be 1 to 36"),
        # state: present / absent
        ({"state": "gone"}, "value of state must be one of: present, absent"),
        ({"state": "Present"}, "value of state must be one of: present, absent"),
        ({"state": ""}, "value of state must be one of: present, absent"),
        # wait: bool; wait_timeout: 1-86400
        ({"wait": "maybe"}, "unable to convert to bool"),
        ({"wait": [True]}, "unable to convert to bool"),
        ({"wait_timeout": 0}, "wait_timeout must be between 1 and 86400"),
        ({"wait_timeout": -5}, "wait_timeout must be between 1 and 86400"),
        ({"wait_timeout": 86401}, "wait_timeout must be between 1 and 86400"),
        ({"wait_timeout": "soon"}, "cannot be converted to an int"),
        ({"wait_timeout": True}, "wait_timeout must be an integer, got True"),
        # unknown options
        ({"colour": "blue"}, "Unsupported parameters"),
        ({"instance": "inst-1"}, "Unsupported parameters"),
    ]
)

# The shared connection options, identical in every module that uses the Fabric endpoint.
CONNECTION_CASES = [
    # endpoint / region: one of them; an http(s) URL with a host and a valid port; a region name
    ({"endpoint": DROP}, "one of endpoint (HW_FABRIC_ENDPOINT) or region (HW_REGION_NAME) is required"),
    ({"endpoint": ""}, "one of endpoint (HW_FABRIC_ENDPOINT) or region (HW_REGION_NAME) is required"),
    ({"endpoint": "ftp://fabric.test"}, "endpoint must be an http:// or https:// URL"),
    ({"endpoint": "fabric.test"}, "endpoint must be an http:// or https:// URL"),
    ({"endpoint": "https://fabric.test/v1?x=1"}, "endpoint must be an http:// or https:// URL"),
    ({"endpoint": "https://fabric.test/#top"}, "endpoint must be an http:// or https:// URL"),
    ({"endpoint": "https://fabric test"}, "endpoint must be an http:// or https:// URL"),
    ({"endpoint": "http://127.0.0.1:notaport"}, "endpoint must be a URL with a valid host and port"),
    ({"endpoint": "http://127.0.0.1:99999"}, "endpoint must be a URL with a valid host and port"),
    ({"endpoint": "http://127.0.0.1:0"}, "endpoint must be a URL with a valid host and port"),
    ({"endpoint": "http://[::1"}, "endpoint must be a URL with a valid host and port"),
    ({"endpoint": "http://:8787"}, "endpoint must be a URL with a valid host and port"),
    ({"endpoint": DROP, "region": "Not A Region"}, "region must be a region name"),
    ({"endpoint": DROP, "region": "cn-north-4\n"}, "region must be a region name"),
    ({"endpoint": DROP, "region": "cn_north_4"}, "region must be a region name"),
    ({"endpoint": DROP, "region": "-cn"}, "region must be a region name"),
    # authentication: one complete method; empty strings count as unset
    ({"auth_token": DROP}, "no complete authentication method"),
    ({"auth_token": ""}, "no complete authentication method"),
    ({"auth_token": "   "}, "no complete authentication method"),
    ({"auth_token": DROP, "access_key": "AKONLY0000"}, "given: access_key"),
    ({"auth_token": DROP, "secret_key": SECRET_KEY}, "given: secret_key"),
    ({"auth_token": DROP, "access_key": "AK0000", "secret_key": ""}, "given: access_key"),
    ({"auth_token": DROP, "access_key": "AK0000", "security_token": SECURITY_TOKEN}, "given: access_key, security_token"),
    ({"auth_token": DROP, "user_name": "alice", "domain_name": "acme"}, "given: domain_name, user_name"),
    ({"auth_token": DROP, "user_name": "alice", "password": PASSWORD}, "given: password, user_name"),
    ({"auth_token": DROP, "password": PASSWORD, "domain_name": "acme"}, "given: domain_name, password"),
    # complete methods that still lack what they need, found before any request
    ({"auth_token": DROP, "access_key": "AK0000", "secret_key": SECRET_KEY}, "AK/SK authentication needs project_id"),
    ({"auth_token": DROP, "user_name": "alice", "password": PASSWORD, "domain_name": "acme"}, "password authentication needs project_id"),
    (
        {"auth_token": DROP, "user_name": "alice", "password": PASSWORD, "domain_name": "acme", "project_id": "p-1"},
        "IAM authentication needs iam_endpoint (HW_AUTH_URL) or region",
    ),
    (
        {"auth_token": DROP, "user_name": "alice", "password": PASSWORD, "domain_name": "acme", "project_id": "p-1", "iam_endpoint": "iam.test/v3"},
        "iam_endpoint must be an http:// or https:// URL",
    ),
    (
        {"auth_token": DROP, "access_key": "AK0000", "secret_key": SECRET_KEY, "region": "cn-north-4", "iam_endpoint": "https://iam.test:70000"},
        "iam_endpoint must be a URL with a valid host and port",
    ),
    # TLS: validate_certs is a bool; ca_path must exist
    ({"validate_certs": "maybe"}, "unable to convert to bool"),
    ({"ca_path": "/nonexistent/hwcloud-ca.pem"}, "ca_path '/nonexistent/hwcloud-ca.pem' does not exist"),
    # api_timeout: 1-3600; api_retries: 0-20; integers
    ({"api_timeout": 0}, "api_timeout must be between 1 and 3600"),
    ({"api_timeout": 3601}, "api_timeout must be between 1 and 3600"),
    ({"api_timeout": "soon"}, "cannot be converted to an int"),
    ({"api_timeout": 2.5}, "cannot be converted to an int"),
    ({"api_timeout": True}, "api_timeout must be an integer, got True"),
    ({"api_retries": -1}, "api_retries must be between 0 and 20"),
    ({"api_retries": 21}, "api_retries must be between 0 and 20"),
    ({"api_retries": "many"}, "cannot be converted to an int"),
    ({"api_retries": False}, "api_retries must be an integer, got False"),
]

INFO_CASES = [
    ({"workspace_id": DROP}, "missing required arguments: workspace_id"),
    ({"workspace_id": ""}, "workspace_id must be 1 to 36"),
    ({"workspace_id": "ws_1"}, "workspace_id must be 1 to 36"),
    ({"workspace_id": "w" * 37}, "workspace_id must be 1 to 36"),
    ({"instance_id": ""}, "instance_id must be 1 to 36"),
    ({"instance_id": "inst 1"}, "instance_id must be 1 to 36"),
    ({"id": "i" * 37}, "instance_id must be 1 to 36"),
    ({"name": ""}, "name must be 1 to 64"),
    ({"name": "n" * 65}, "name must be 1 to 64"),
    ({"name": "bad/name"}, "name must be 1 to 64"),
    ({"instance_id": "inst-1", "name": "demo"}, "parameters are mutually exclusive: instance_id|name"),
    ({"instance_id": "inst-1", "filters": {"type": "LLM_MODEL"}}, "parameters are mutually exclusive: instance_id|filters"),
    ({"filters": "type"}, "dictionary requested"),
    ({"filters": 1}, "filters must be a dictionary with the keys endpoint_id, source_id, type, version_id, visibility, got 1 (int)"),
    ({"filters": ["LLM_MODEL"]}, "filters must be a dictionary"),
    ({"filters": {"colour": "blue"}}, "filters.colour"),
    ({"filters": {"type": "GPU"}}, "value of type must be one of: LLM_MODEL, PGSQL_SERVICE"),
    ({"filters": {"type": "llm_model"}}, "value of type must be one of: LLM_MODEL, PGSQL_SERVICE"),
    ({"filters": {"visibility": "SHARED"}}, "value of visibility must be one of: PRIVATE, PUBLIC"),
    ({"filters": {"endpoint_id": "ep 1"}}, "filters.endpoint_id must be 1 to 36"),
    ({"filters": {"source_id": ""}}, "filters.source_id must be 1 to 36"),
    ({"filters": {"version_id": "v" * 37}}, "filters.version_id must be 1 to 36"),
    ({"state": "present"}, "Unsupported parameters"),
]

TOKEN_CASES = [
    ({"user_name": DROP}, "iam_token needs user_name"),
    ({"password": DROP}, "iam_token needs password"),
    ({"domain_name": DROP}, "iam_token needs domain_name"),
    ({"password": ""}, "iam_token needs password"),
    ({"user_name": "", "domain_name": ""}, "iam_token needs user_name, domain_name"),
    ({"project_id": DROP}, "password authentication needs project_id (HW_PROJECT_ID) or region"),
    ({"iam_endpoint": DROP, "project_id": DROP}, "password authentication needs project_id"),
    ({"iam_endpoint": DROP}, "IAM authentication needs iam_endpoint (HW_AUTH_URL) or region"),
    ({"iam_endpoint": "ftp://iam.test"}, "iam_endpoint must be an http:// or https:// URL"),
    ({"iam_endpoint": "https://iam.test:port"}, "iam_endpoint must be a URL with a valid host and port"),
    ({"iam_endpoint": DROP, "region": "CN North"}, "region must be a region name"),
    ({"api_timeout": 0}, "api_timeout must be between 1 and 3600"),
    ({"api_retries": 99}, "api_retries must be between 0 and 20"),
    ({"ca_path": "/nonexistent/hwcloud-ca.pem"}, "ca_path '/nonexistent/hwcloud-ca.pem' does not exist"),
    ({"validate_certs": "perhaps"}, "unable to convert to bool"),
    ({"token": "x"}, "Unsupported parameters"),
]

# Environment variables are options too: a bad value there is refused the same way.
ENV_CASES = [
    ({"HW_FABRIC_ENDPOINT": "ftp://fabric.test"}, {"endpoint": DROP}, "endpoint must be an http:// or https:// URL"),
    ({"HW_FABRIC_ENDPOINT": "http://fabric.test:123456"}, {"endpoint": DROP}, "endpoint must be a URL with a valid host and port"),
    ({"HW_REGION_NAME": "North 4"}, {"endpoint": DROP}, "region must be a region name"),
    ({"HW_AUTH_TOKEN": ""}, {"auth_token": DROP}, "no complete authentication method"),
    ({"HW_ACCESS_KEY": "AK0000"}, {"auth_token": DROP}, "given: access_key"),
    ({"HW_SECRET_KEY": SECRET_KEY}, {"auth_token": DROP}, "given: secret_key"),
    ({"HW_USER_NAME": "alice", "HW_PASSWORD": PASSWORD}, {"auth_token": DROP}, "given: password, user_name"),
    (
        {"HW_USER_NAME": "alice", "HW_PASSWORD": PASSWORD, "HW_DOMAIN_NAME": "acme", "HW_PROJECT_ID": "p-1", "HW_AUTH_URL": "iam.test"},
        {"auth_token": DROP},
        "iam_endpoint must be an http:// or https:// URL",
    ),
]


def case_id(value):
    if isinstance(value, dict):
        return ",".join("{0}={1}".format(key, "<drop>" if item is DROP else named_secrets(repr(item))[:24]) for key, item in value.items())
    return None


def assert_refused(result, text, mocked):
    assert result["failed"] is True, result
    assert text in result["msg"], result["msg"]
    dumped = json.dumps(result)
    assert "Traceback" not in dumped and "exception" not in result, result
    # Secrets never make it into the message, even when the bad input sits next to them.
    for secret in (TOKEN, PASSWORD, SECRET_KEY):
        assert secret not in dumped
    assert len(mocked.calls) == 0, [call.request.url for call in mocked.calls]


@pytest.mark.parametrize("over, text", INSTANCE_CASES + CONNECTION_CASES, ids=case_id)
@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check"])
def test_instance_bad_input_is_refused_before_any_request(run_module, mocked, over, text, check_mode):
    assert_refused(run_module(instance_module, options(INSTANCE_BASE, **over), check_mode=check_mode, diff=True), text, mocked)


@pytest.mark.parametrize("over, text", INFO_CASES + CONNECTION_CASES, ids=case_id)
def test_info_bad_input_is_refused_before_any_request(run_module, mocked, over, text):
    assert_refused(run_module(info_module, options(INFO_BASE, **over), check_mode=True), text, mocked)


@pytest.mark.parametrize("over, text", TOKEN_CASES, ids=case_id)
def test_iam_token_bad_input_is_refused_before_any_request(run_module, mocked, over, text):
    assert_refused(run_module(token_module, options(TOKEN_BASE, **over)), text, mocked)


@pytest.mark.parametrize("env, over, text", ENV_CASES, ids=lambda value: case_id(value) if isinstance(value, dict) else None)
@pytest.mark.parametrize("module", [instance_module, info_module], ids=["instance", "info"])
def test_bad_environment_values_are_refused_before_any_request(run_module, mocked, monkeypatch, env, over, text, module):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    base = INSTANCE_BASE if module is instance_module else INFO_BASE
    assert_refused(run_module(module, options(base, **over)), text, mocked)


# ------------------------------------------------------------------------------ the accepted edges
# Each is the valid extreme of a constraint: accepted, and the task makes exactly its one read.

ITEM_URL = ENDPOINT + "/v1/workspaces/{0}/services/instances/{1}"


EDGES = [
    {"workspace_id": "w" * 36},
    {"instance_id": "I-" + "9" * 34},
    {"name": "名" * 32 + "Aa0_-. " * 4 + "x" * 4},
    {"name": "n"},
    {"description": "d" * 1024},
    {"description": ""},
    {"description": "ok: tabs\tnew lines\n, commas; (brackets) [and] {braces} ~ ` @ # $ % ^ * + | \\ / ?"},
    {"resource": {"min": 1, "max": 1000, "spec_code": "s" * 128}},
    {"source": {"id": "model-1", "version_id": "ver-1"}, "endpoint_id": "ep-1"},
    {"wait_timeout": 86400},
    {"wait_timeout": 1},
    {"api_timeout": 3600, "api_retries": 0},
    {"api_timeout": 1, "api_retries": 20},
    {"endpoint": "http://[::1]:8787", "auth_token": TOKEN},
]


@pytest.mark.parametrize("over", EDGES, ids=case_id)
def test_accepted_edges_make_exactly_the_read(run_module, mocked, over):
    args = options(dict(INSTANCE_BASE, description=DROP), **over)
    endpoint = args["endpoint"]
    # An instance the accepted edges leave unchanged.
    resource = {"min": 1, "max": 1000, "spec_code": "s" * 128}
    item = instance(id=args["instance_id"], description="", config={"model_instance_config": {"resource": resource}})
    for key in ("name", "description"):
        if key in over:
            item[key] = over[key]
    mocked.add(responses.GET, ITEM_URL.format(args["workspace_id"], args["instance_id"]).replace(ENDPOINT, endpoint), json=item)
    result = run_module(instance_module, args)
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert len(mocked.calls) == 1


# ------------------------------------------------------------------------------ property tests
# The validators against the documented rules, on random text (including the characters next to the
# allowed ranges, line breaks and non-ASCII letters).

ID_ALPHABET = string.ascii_letters + string.digits + "-"
NAME_EXTRA = "_-. "
NEARBY = "_./\\:;@!?<>=&'\"\t\n\r\x00 é名ü日本語😀ǅ-"
TEXTS = st.text(alphabet=st.sampled_from(ID_ALPHABET + NAME_EXTRA + NEARBY + "一龥\u9fa6\u4dff"), min_size=0, max_size=70) | st.text(max_size=70)


def documented_id(value):
    return 1 <= len(value) <= 36 and all(char in ID_ALPHABET for char in value)


def documented_name(value):
    return 1 <= len(value) <= 64 and all(char in ID_ALPHABET or char in NAME_EXTRA or "\u4e00" <= char <= "\u9fa5" for char in value)


def documented_description(value):
    return len(value) <= 1024 and not any(char in FORBIDDEN for char in value)


def accepted(check, value):
    try:
        check("option", value)
    except FabricInputError as err:
        assert str(err).startswith("option")
        return False
    return True


@settings(max_examples=300, deadline=None, database=None)
@given(TEXTS)
def test_property_validators_follow_the_documented_rules(value):
    assert accepted(_validate.check_id, value) == documented_id(value)
    assert accepted(_validate.check_name, value) == documented_name(value)
    assert accepted(_validate.check_description, value) == documented_description(value)


@settings(max_examples=200, deadline=None, database=None)
@given(st.integers(-5, 1010), st.integers(-5, 1010))
def test_property_resource_bounds(low, high):
    ok = low >= 1 and 1 <= high <= 1000 and high >= low
    assert accepted(_validate.check_resource, {"min": low, "max": high}) == ok


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "workspace_id": TEXTS,
            "instance_id": TEXTS,
            "name": TEXTS,
            "endpoint_id": TEXTS,
            "description": TEXTS,
            "resource": st.fixed_dictionaries({}, optional={"min": st.integers(-2, 1002), "max": st.integers(-2, 1002)}),
        },
    )
)
def test_property_main_refuses_undocumented_input_without_a_request(run_module, mocked, over):
    """Through main(): input outside the documented rules fails with zero requests; input inside gets to the read."""
    args = options(INSTANCE_BASE, **over)
    valid = (
        documented_id(args["workspace_id"])
        and documented_id(args["instance_id"])
        and ("name" not in args or documented_name(args["name"]))
        and ("endpoint_id" not in args or documented_id(args["endpoint_id"]))
        and documented_description(args["description"])
    )
    resource = args.get("resource") or {}
    if "min" in resource and resource["min"] < 1 or "max" in resource and not 1 <= resource["max"] <= 1000:
        valid = False
    elif "min" in resource and "max" in resource and resource["max"] < resource["min"]:
        valid = False
    calls_before = len(mocked.calls)
    result = run_module(instance_module, args, check_mode=True)
    assert result["failed"] is True  # valid input reaches the stub, which refuses every call
    assert "Traceback" not in json.dumps(result)
    made = len(mocked.calls) - calls_before
    # ansible-core 2.21 refuses a NUL in any argument itself, before the module's code runs (it cannot log the
    # invocation to syslog): refused with its own message, and still without a request.
    refused_by_core = any("\x00" in value for value in over.values() if isinstance(value, str)) and "null character" in result["msg"]
    if valid and not refused_by_core:
        assert made >= 1, result["msg"]
    else:
        assert made == 0, result["msg"]
        assert "must" in result["msg"] or refused_by_core, result["msg"]


def test_the_environment_is_clean():
    """The autouse fixture removes HW_* variables, so no case above is decided by the machine's environment."""
    assert not [name for name in os.environ if name.startswith("HW_")]
