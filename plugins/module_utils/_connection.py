# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection and authentication options every module shares, and where they lead."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricInputError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._validate import check_integer

FABRIC_ENDPOINT_TEMPLATE = "https://fabric-ep.{0}.myhuaweicloud.com"
IAM_ENDPOINT_TEMPLATE = "https://iam.{0}.myhuaweicloud.com"
_REGION = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", re.IGNORECASE)

DEFAULT_API_TIMEOUT = 30
DEFAULT_API_RETRIES = 5
# An answer that takes longer than an hour is a hung connection, not a slow API.
MAX_API_TIMEOUT = 3600
# 20 retries already pause up to about 8 minutes for one request (backoff capped at 30 s); more would hide an outage.
MAX_API_RETRIES = 20


def _env(*names):
    return {"fallback": (env_fallback, list(names))}


CONNECTION_ARGUMENT_SPEC = {
    "region": dict(type="str", **_env("HW_REGION_NAME")),
    "endpoint": dict(type="str", **_env("HW_FABRIC_ENDPOINT")),
    "auth_token": dict(type="str", no_log=True, **_env("HW_AUTH_TOKEN")),
    "access_key": dict(type="str", no_log=True, **_env("HW_ACCESS_KEY")),
    "secret_key": dict(type="str", no_log=True, **_env("HW_SECRET_KEY")),
    "security_token": dict(type="str", no_log=True, **_env("HW_SECURITY_TOKEN")),
    "project_id": dict(type="str", **_env("HW_PROJECT_ID")),
    "user_name": dict(type="str", aliases=["user"], **_env("HW_USER_NAME")),
    "password": dict(type="str", no_log=True, **_env("HW_PASSWORD")),
    "domain_name": dict(type="str", aliases=["domain"], **_env("HW_DOMAIN_NAME")),
    "iam_endpoint": dict(type="str", aliases=["identity_endpoint"], **_env("HW_AUTH_URL")),
    "validate_certs": dict(type="bool", default=True),
    "ca_path": dict(type="path"),
    "api_timeout": dict(type="int", default=DEFAULT_API_TIMEOUT),
    "api_retries": dict(type="int", default=DEFAULT_API_RETRIES),
}


def env_name(option):
    """The environment variable an option falls back to (named in errors beside the option)."""
    return CONNECTION_ARGUMENT_SPEC[option]["fallback"][1][0]


def blank_to_none(value):
    """Empty strings (an unset environment variable exported as '') count as unset."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _base_url(value, option):
    value = value.strip()
    if not _URL.match(value):
        raise FabricInputError("{0} must be an http:// or https:// URL without query or fragment, got {1!r}".format(option, value))
    # A port that is not a number 0-65535, or a broken IPv6 literal, would otherwise only fail inside requests.
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise FabricInputError("{0} must be a URL with a valid host and port, got {1!r} ({2})".format(option, value, exc)) from None
    if not parts.hostname or port == 0:
        raise FabricInputError("{0} must be a URL with a valid host and port, got {1!r}".format(option, value))
    return value.rstrip("/")


def _region(params):
    region = blank_to_none(params.get("region"))
    if region is not None and not _REGION.fullmatch(region):
        raise FabricInputError("region must be a region name such as cn-north-4, got {0!r}".format(region))
    return region


def resolve_endpoint(params):
    """The Fabric-ep base URL: ``endpoint`` wins over ``region``; one of them is required."""
    endpoint = blank_to_none(params.get("endpoint"))
    if endpoint is not None:
        return _base_url(endpoint, "endpoint")
    region = _region(params)
    if region is None:
        raise FabricInputError("one of endpoint (HW_FABRIC_ENDPOINT) or region (HW_REGION_NAME) is required")
    return FABRIC_ENDPOINT_TEMPLATE.format(region)


def resolve_iam_endpoint(params):
    """The IAM base URL (without /v3): ``iam_endpoint`` or the region's IAM."""
    iam = blank_to_none(params.get("iam_endpoint"))
    if iam is not None:
        iam = _base_url(iam, "iam_endpoint")
        # HW_AUTH_URL is often written with the /v3 suffix (Terraform set-ups).
        return iam[:-3] if iam.endswith("/v3") else iam
    region = _region(params)
    if region is None:
        raise FabricInputError("IAM authentication needs iam_endpoint (HW_AUTH_URL) or region (HW_REGION_NAME)")
    return IAM_ENDPOINT_TEMPLATE.format(region)


def check_request_options(params):
    """The per-request options' types and ranges, and the CA bundle (a missing one would fail inside requests)."""
    for option in ("api_timeout", "api_retries"):
        check_integer(option, params.get(option))
    ca_path = params.get("ca_path")
    if params.get("validate_certs", True) and ca_path and not os.path.exists(ca_path):
        raise FabricInputError("ca_path {0!r} does not exist: give a CA bundle file (PEM) or a directory of CA certificates".format(ca_path))
    if params.get("api_timeout") is not None and not 1 <= params["api_timeout"] <= MAX_API_TIMEOUT:
        raise FabricInputError("api_timeout must be between 1 and {0} seconds, got {1}".format(MAX_API_TIMEOUT, params["api_timeout"]))
    if params.get("api_retries") is not None and not 0 <= params["api_retries"] <= MAX_API_RETRIES:
        raise FabricInputError("api_retries must be between 0 and {0}, got {1}".format(MAX_API_RETRIES, params["api_retries"]))
