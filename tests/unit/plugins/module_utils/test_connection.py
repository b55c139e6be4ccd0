# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared connection options: where the requests go, and the per-request option ranges."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.dataarts.plugins.module_utils._connection import (
    CONNECTION_ARGUMENT_SPEC,
    DEFAULT_API_RETRIES,
    DEFAULT_API_TIMEOUT,
    MAX_API_RETRIES,
    MAX_API_TIMEOUT,
    blank_to_none,
    check_request_options,
    env_name,
    resolve_endpoint,
    resolve_iam_endpoint,
)
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricInputError


def test_endpoint_wins_over_region():
    assert resolve_endpoint({"endpoint": "http://127.0.0.1:8787", "region": "cn-north-4"}) == "http://127.0.0.1:8787"


def test_region_template():
    assert resolve_endpoint({"region": "cn-north-4"}) == "https://fabric-ep.cn-north-4.myhuaweicloud.com"
    assert resolve_endpoint({"region": "cn-southwest-2", "endpoint": ""}) == "https://fabric-ep.cn-southwest-2.myhuaweicloud.com"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("http://127.0.0.1:8787/", "http://127.0.0.1:8787"),
        ("https://proxy.example.test/fabric/", "https://proxy.example.test/fabric"),
        ("  https://fabric.example.test//  ", "https://fabric.example.test"),
        ("HTTPS://Fabric.Example.Test", "HTTPS://Fabric.Example.Test"),
    ],
)
def test_trailing_slash_and_spaces(value, expected):
    assert resolve_endpoint({"endpoint": value}) == expected


@pytest.mark.parametrize(
    "value",
    [
        "fabric-ep.cn-north-4.myhuaweicloud.com",
        "ftp://fabric.example.test",
        "https://fabric.example.test/?x=1",
        "https://fabric.example.test/#top",
        "https://fab ric.example.test",
        "https://",
        "//fabric.example.test",
    ],
)
def test_bad_endpoint(value):
    with pytest.raises(FabricInputError) as caught:
        resolve_endpoint({"endpoint": value, "region": "cn-north-4"})
    assert "endpoint" in str(caught.value)
    assert repr(value.strip()) in str(caught.value)


@pytest.mark.parametrize("params", [{}, {"endpoint": None, "region": None}, {"endpoint": "", "region": "  "}])
def test_neither_endpoint_nor_region(params):
    with pytest.raises(FabricInputError) as caught:
        resolve_endpoint(params)
    text = str(caught.value)
    assert "endpoint" in text and "region" in text
    assert "HW_FABRIC_ENDPOINT" in text and "HW_REGION_NAME" in text


@pytest.mark.parametrize("region", ["CN-North-4", "cn north 4", "cn-north-4/../x", "-cn"])
def test_bad_region(region):
    with pytest.raises(FabricInputError) as caught:
        resolve_endpoint({"region": region})
    assert "region" in str(caught.value)


def test_iam_endpoint_given():
    assert resolve_iam_endpoint({"iam_endpoint": "https://iam.example.test/", "region": "cn-north-4"}) == "https://iam.example.test"


@pytest.mark.parametrize("value", ["https://iam.example.test/v3", "https://iam.example.test/v3/"])
def test_iam_endpoint_v3_suffix_is_dropped(value):
    assert resolve_iam_endpoint({"iam_endpoint": value}) == "https://iam.example.test"


def test_iam_endpoint_keeps_other_paths():
    assert resolve_iam_endpoint({"iam_endpoint": "https://gw.example.test/iam/v3"}) == "https://gw.example.test/iam"
    assert resolve_iam_endpoint({"iam_endpoint": "https://gw.example.test/v30"}) == "https://gw.example.test/v30"


def test_iam_endpoint_from_region():
    assert resolve_iam_endpoint({"region": "cn-north-4", "iam_endpoint": ""}) == "https://iam.cn-north-4.myhuaweicloud.com"


def test_iam_endpoint_errors():
    with pytest.raises(FabricInputError) as caught:
        resolve_iam_endpoint({"endpoint": "https://fabric.example.test"})
    assert "iam_endpoint" in str(caught.value) and "HW_AUTH_URL" in str(caught.value)
    with pytest.raises(FabricInputError) as caught:
        resolve_iam_endpoint({"iam_endpoint": "iam.example.test"})
    assert "iam_endpoint" in str(caught.value)


@pytest.mark.parametrize(
    "params",
    [
        {"api_timeout": 1, "api_retries": 0},
        {"api_timeout": 3600, "api_retries": 20},
        {"api_timeout": 30, "api_retries": 5},
        {"api_timeout": None, "api_retries": None},
        {},
    ],
)
def test_request_options_in_range(params):
    check_request_options(params)


@pytest.mark.parametrize(
    "params, option",
    [
        ({"api_timeout": 0}, "api_timeout"),
        ({"api_timeout": -5}, "api_timeout"),
        ({"api_timeout": 3601}, "api_timeout"),
        ({"api_retries": -1}, "api_retries"),
        ({"api_retries": 21}, "api_retries"),
    ],
)
def test_request_options_out_of_range(params, option):
    with pytest.raises(FabricInputError) as caught:
        check_request_options(params)
    assert option in str(caught.value)
    assert str(params[option]) in str(caught.value)


@pytest.mark.parametrize("value, expected", [("", None), ("  ", None), (None, None), ("x", "x"), (" x ", " x "), (0, 0), (False, False)])
def test_blank_to_none(value, expected):
    assert blank_to_none(value) == expected


# The contract's option table: type, default, environment fallback, no_log.
OPTIONS = {
    "region": ("str", None, "HW_REGION_NAME", False),
    "endpoint": ("str", None, "HW_FABRIC_ENDPOINT", False),
    "auth_token": ("str", None, "HW_AUTH_TOKEN", True),
    "access_key": ("str", None, "HW_ACCESS_KEY", True),
    "secret_key": ("str", None, "HW_SECRET_KEY", True),
    "security_token": ("str", None, "HW_SECURITY_TOKEN", True),
    "project_id": ("str", None, "HW_PROJECT_ID", False),
    "user_name": ("str", None, "HW_USER_NAME", False),
    "password": ("str", None, "HW_PASSWORD", True),
    "domain_name": ("str", None, "HW_DOMAIN_NAME", False),
    "iam_endpoint": ("str", None, "HW_AUTH_URL", False),
    "validate_certs": ("bool", True, None, False),
    "ca_path": ("path", None, None, False),
    "api_timeout": ("int", 30, None, False),
    "api_retries": ("int", 5, None, False),
}


def test_argument_spec_matches_the_contract():
    assert set(CONNECTION_ARGUMENT_SPEC) == set(OPTIONS)
    for name, (kind, default, env, no_log) in OPTIONS.items():
        spec = CONNECTION_ARGUMENT_SPEC[name]
        assert spec["type"] == kind, name
        assert spec.get("default") == default, name
        assert bool(spec.get("no_log")) == no_log, name
        if env is None:
            assert "fallback" not in spec, name
        else:
            assert spec["fallback"][1] == [env], name


def test_defaults_and_limits_are_the_named_ones():
    assert (DEFAULT_API_TIMEOUT, DEFAULT_API_RETRIES, MAX_API_TIMEOUT, MAX_API_RETRIES) == (30, 5, 3600, 20)
    check_request_options({"api_timeout": MAX_API_TIMEOUT, "api_retries": MAX_API_RETRIES})
    with pytest.raises(FabricInputError) as caught:
        check_request_options({"api_timeout": MAX_API_TIMEOUT + 1})
    assert "between 1 and 3600 seconds" in str(caught.value)


# The names community.general's hwc_* modules use for the same options.
ALIASES = {"user_name": ["user"], "domain_name": ["domain"], "iam_endpoint": ["identity_endpoint"]}


def test_aliases_of_the_hwc_modules():
    assert {name: spec["aliases"] for name, spec in CONNECTION_ARGUMENT_SPEC.items() if "aliases" in spec} == ALIASES


@pytest.mark.parametrize("name", sorted(name for name, (_kind, _default, env, _no_log) in OPTIONS.items() if env))
def test_env_name(name):
    assert env_name(name) == OPTIONS[name][2]
