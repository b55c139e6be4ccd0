# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The authentication methods, one class each: the options it takes, when it is complete, how it authenticates.

Which method a task uses is chosen in ``_auth`` (the first complete one in order of precedence). ``authenticate``
returns a ``requests`` auth object: a plain callable taking the prepared request, so this file imports without
``requests`` installed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _signer
from ansible_collections.hwcloud.dataarts.plugins.module_utils._connection import blank_to_none, env_name, resolve_iam_endpoint
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricApiError, FabricAuthError, FabricInputError

# What an HTTP header value may hold here: printable ASCII, no spaces. Checked before any request, so that requests
# never raises InvalidHeader (whose text carries the header's value) nor http.client a UnicodeEncodeError.
_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")
# The headers AkSkAuth signs (X-Sdk-Date must be; the others are the ones an intermediary must not change).
SIGNED_HEADERS = ("host", "content-type", "x-sdk-date", "x-project-id", "x-security-token")


def is_set(params, name):
    """Empty strings (an environment variable exported as '') count as unset."""
    return blank_to_none(params.get(name)) is not None


def header_value(params, name):
    """The option's value with surrounding whitespace removed (a vaulted value often ends in a newline), or None.

    Raises FabricInputError, naming the option and never its value, when it cannot be sent in a header.
    """
    value = blank_to_none(params.get(name))
    if value is None:
        return None
    value = str(value).strip()
    if not _HEADER_SAFE.match(value):
        raise FabricInputError("{0} ({1}) must be printable ASCII without spaces: it is sent in an HTTP header".format(name, env_name(name)))
    return value


class AuthMethod:
    """One way to authenticate. Subclasses declare their options and how they authenticate; nothing is instantiated."""

    # The option that names the method in warnings ("authentication uses access_key; ...").
    name = ""
    # Complete when every one of these is set.
    required = ()
    # Used when set, never needed; not "ignored" beside a complete method of their own.
    optional = ()

    @classmethod
    def options(cls):
        return cls.required + cls.optional

    @classmethod
    def missing(cls, params):
        """The required options that are unset, in declaration order."""
        return [name for name in cls.required if not is_set(params, name)]

    @classmethod
    def is_complete(cls, params):
        return not cls.missing(params)

    @classmethod
    def authenticate(cls, params, new_client, register_secret):
        """The ``requests`` auth object for ``params`` (complete for this method).

        ``new_client(base_url, auth=None)`` makes a client for an IAM call; ``register_secret`` receives every secret
        obtained at run time, so that Ansible masks it.
        """
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------------- token


class TokenAuth:
    """Sends an IAM token as X-Auth-Token."""

    def __init__(self, token):
        self._token = token

    def __call__(self, request):
        request.headers["X-Auth-Token"] = self._token
        return request

    def __repr__(self):
        return "TokenAuth(<hidden>)"


class TokenMethod(AuthMethod):
    """A project-scoped IAM token the user already holds."""

    name = "auth_token"
    required = ("auth_token",)

    @classmethod
    def authenticate(cls, params, new_client, register_secret):
        return TokenAuth(header_value(params, "auth_token"))


# ---------------------------------------------------------------------------------------------------- AK/SK


class AkSkAuth:
    """Signs every prepared request afresh with SDK-HMAC-SHA256 (a retry gets a new date and signature)."""

    def __init__(self, access_key, secret_key, security_token=None, project_id=None, now=None):
        self._access_key = access_key
        self._secret_key = secret_key
        self._security_token = security_token
        self.project_id = project_id
        self._now = now

    def __repr__(self):
        return "AkSkAuth(<hidden>)"

    def __call__(self, request):
        """Called by ``requests`` when it prepares each attempt: a new X-Sdk-Date and signature every time."""
        # The query is sent exactly as it is signed: sorted, %20 for a space (as the official SDK sends it).
        request.url = _signer.canonical_url(request.url)
        # Host as the request will carry it (never a user:password@ part of the URL).
        request.headers["Host"] = urlsplit(request.url).netloc.rpartition("@")[2]
        request.headers[_signer.DATE_HEADER] = _signer.sdk_date(self._now() if self._now else None)
        if self.project_id:
            request.headers["X-Project-Id"] = self.project_id
        if self._security_token:
            request.headers["X-Security-Token"] = self._security_token
        signed = {name: request.headers[name] for name in request.headers if name.lower() in SIGNED_HEADERS}
        request.headers["Authorization"] = _signer.authorization(
            request.method, request.url, signed, request.body, self._access_key, self._secret_key
        )
        return request


def lookup_project_id(new_client, params, auth):
    """The project of ``region`` from IAM (signed), for AK/SK without project_id, as the official SDK does."""
    region = blank_to_none(params.get("region"))
    if region is None:
        raise FabricInputError("AK/SK authentication needs project_id (HW_PROJECT_ID), or region (HW_REGION_NAME) to look it up")
    iam = resolve_iam_endpoint(params)
    try:
        response = new_client(iam, auth).request("GET", "/v3/projects", query=[("name", region)])
    except FabricApiError as err:
        raise FabricAuthError("IAM refused the project look-up for region {0!r}: {1}".format(region, err)) from None
    projects = (response.body or {}).get("projects") or []
    if len(projects) != 1 or not projects[0].get("id"):
        raise FabricAuthError("IAM knows no single project named {0!r}; set project_id".format(region))
    project_id = str(projects[0]["id"]).strip()
    if not _HEADER_SAFE.match(project_id):
        raise FabricAuthError("IAM answered a project id for {0!r} that cannot be sent in a header; set project_id".format(region))
    return project_id


class AkSkMethod(AuthMethod):
    """Permanent or temporary access keys: every request signed, the SK never sent."""

    name = "access_key"
    required = ("access_key", "secret_key")
    optional = ("security_token",)

    @classmethod
    def authenticate(cls, params, new_client, register_secret):
        # The SK is only a key of the HMAC (any text, UTF-8); everything else is sent in a header.
        auth = AkSkAuth(
            header_value(params, "access_key"),
            str(params["secret_key"]).strip(),
            header_value(params, "security_token"),
            header_value(params, "project_id"),
        )
        if auth.project_id is None:
            auth.project_id = lookup_project_id(new_client, params, auth)
        return auth


# ---------------------------------------------------------------------------------------------------- IAM password


def password_token_body(params, project_id, region):
    scope = {"id": project_id} if project_id else {"name": region}
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": params["user_name"], "password": params["password"], "domain": {"name": params["domain_name"]}}},
            },
            "scope": {"project": scope},
        }
    }


def fetch_password_token(new_client, params):
    """POST /v3/auth/tokens on IAM; returns (token, expires_at). ``new_client(base_url)`` makes the IAM client."""
    project_id = blank_to_none(params.get("project_id"))
    region = blank_to_none(params.get("region"))
    if project_id is None and region is None:
        raise FabricInputError("password authentication needs project_id (HW_PROJECT_ID) or region (HW_REGION_NAME) for the token's scope")
    iam = resolve_iam_endpoint(params)
    who = "user {0!r} of domain {1!r}".format(params["user_name"], params["domain_name"])
    try:
        response = new_client(iam).request("POST", "/v3/auth/tokens", body=password_token_body(params, project_id, region), idempotent=True)
    except FabricApiError as err:
        raise FabricAuthError("IAM refused the password authentication of {0}: {1}".format(who, err)) from None
    token = response.headers.get("X-Subject-Token")
    if not token:
        raise FabricAuthError("IAM answered the password authentication of {0} without an X-Subject-Token header".format(who))
    expires_at = ((response.body or {}).get("token") or {}).get("expires_at")
    return token, expires_at


class PasswordMethod(AuthMethod):
    """An IAM user's password: one token fetched from IAM for the task, then sent like a given token."""

    name = "password"
    required = ("user_name", "password", "domain_name")

    @classmethod
    def authenticate(cls, params, new_client, register_secret):
        token, _expires_at = fetch_password_token(new_client, params)
        # Masked before anything else can fail and print it.
        register_secret(token)
        if not _HEADER_SAFE.match(token):
            raise FabricAuthError("IAM answered a token that cannot be sent in an X-Auth-Token header")
        return TokenAuth(token)
