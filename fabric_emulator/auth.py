# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication of API requests, and the emulated IAM (``POST /v3/auth/tokens``, ``GET /v3/projects``).

Everything that decides whether a request is authenticated lives here:

* ``X-Auth-Token``: one of the configured ``tokens``, or a token this emulator's IAM issued (until it expires);
* ``Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...``: verified against the configured
  ``access_keys`` by rebuilding the canonical request from what was received (method, raw path, raw query, the
  headers named in SignedHeaders, raw body). This is an implementation of its own, on the standard library only,
  written from the API signing guide; it shares no code with the collection's signer, so that it really checks it.

When nothing is configured (no tokens, keys or IAM users), requests are not authenticated at all.
Failures answer 401 like API Gateway: ``APIG.1002`` without credentials, ``APIG.0301`` for a bad signature,
an unknown AK, a stale X-Sdk-Date, a missing signed header or an expired token. No answer ever echoes a secret.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import hmac
import json
import re
import secrets
import urllib.parse

from .errors import ApiError, unauthorized

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# API Gateway accepts an X-Sdk-Date up to 15 minutes away from its own clock.
MAX_CLOCK_SKEW_SECONDS = 15 * 60
TOKEN_LIFETIME_SECONDS = 24 * 3600
AUTH_CONFIG_KEYS = ("access_keys", "iam_users")
_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")


# --------------------------------------------------------------------------- configuration
def _text(value, what, header=False):
    if not isinstance(value, str) or not value:
        raise ValueError("%s must be a non-empty string" % what)
    if header and not _HEADER_SAFE.match(value):
        raise ValueError("%s must be printable ASCII without spaces (it is sent in a header)" % what)
    return value


def _projects(value, what):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError('%s must be an object {"<region/project name>": "<project id>"}' % what)
    return {_text(name, "%s name" % what): _text(project_id, "%s id" % what, header=True) for name, project_id in value.items()}


def normalize_access_keys(value):
    """``{AK: {"secret_key", "security_token"?, "project_id"?, "projects"?}}`` (or ``{AK: SK}``); None clears."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError('access_keys must be null or an object {"<AK>": {"secret_key": ..., ...}}')
    keys = {}
    for access_key, entry in value.items():
        _text(access_key, "an access key", header=True)
        if isinstance(entry, str):
            entry = {"secret_key": entry}
        if not isinstance(entry, dict):
            raise ValueError("access_keys.<AK> must be an object or the secret key")
        unknown = sorted(set(entry) - {"secret_key", "security_token", "project_id", "projects"})
        if unknown:
            raise ValueError("unknown access key settings: %s" % ", ".join(unknown))
        keys[access_key] = {
            "secret_key": _text(entry.get("secret_key"), "access_keys.<AK>.secret_key"),
            "security_token": None
            if entry.get("security_token") is None
            else _text(entry["security_token"], "access_keys.<AK>.security_token", header=True),
            "project_id": None if entry.get("project_id") is None else _text(entry["project_id"], "access_keys.<AK>.project_id", header=True),
            "projects": _projects(entry.get("projects"), "access_keys.<AK>.projects"),
        }
    return keys or None


def normalize_iam_users(value):
    """``[{"user_name", "password", "domain_name", "projects": {"<region>": "<project id>"}}]``; None clears."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError('iam_users must be null or a list of {"user_name", "password", "domain_name", "projects"}')
    users = []
    for entry in value:
        if not isinstance(entry, dict):
            raise ValueError("every IAM user must be an object")
        unknown = sorted(set(entry) - {"user_name", "password", "domain_name", "projects"})
        if unknown:
            raise ValueError("unknown IAM user settings: %s" % ", ".join(unknown))
        users.append(
            {
                "user_name": _text(entry.get("user_name"), "iam_users[].user_name"),
                "password": _text(entry.get("password"), "iam_users[].password"),
                "domain_name": _text(entry.get("domain_name"), "iam_users[].domain_name"),
                "projects": _projects(entry.get("projects"), "iam_users[].projects"),
            }
        )
    return users or None


def normalize_auth_setting(key, value):
    return normalize_access_keys(value) if key == "access_keys" else normalize_iam_users(value)


# --------------------------------------------------------------------------- errors
def aksk_failure(detail=None):
    """401 APIG.0301 as API Gateway answers a failed AK/SK check (never with a secret in it)."""
    message = "Incorrect IAM authentication information: verify aksk signature fail"
    if detail:
        message += ", " + detail
    return ApiError(401, {"error_code": "APIG.0301", "error_msg": message})


def unknown_access_key():
    return ApiError(
        401, {"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information: Get secretKey failed,ak:******,err:ak not exist"}
    )


def token_expired(expires_at):
    return ApiError(
        401, {"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information: token expires, expires_at: %s" % expires_at}
    )


def iam_error(status, message):
    """An error of the IAM service, in Keystone's shape."""
    titles = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}
    return ApiError(status, {"error": {"code": status, "message": message, "title": titles.get(status, "Error")}})


# --------------------------------------------------------------------------- canonical request
def _encode(text):
    return urllib.parse.quote(text, safe="~")


def canonical_path(raw_path):
    """Decoded, each segment encoded again (only ``~`` and unreserved characters kept), with a trailing slash."""
    path = "/".join(_encode(segment) for segment in urllib.parse.unquote(raw_path or "/").split("/"))
    return path if path.endswith("/") else path + "/"


def canonical_query_string(raw_query):
    """The received query decoded pair by pair (a ``+`` stays a plus), sorted, encoded again."""
    pairs = []
    for part in (raw_query or "").split("&"):
        if part:
            key, _sep, value = part.partition("=")
            pairs.append((urllib.parse.unquote(key), urllib.parse.unquote(value)))
    pairs.sort()
    return "&".join("%s=%s" % (_encode(key), _encode(value)) for key, value in pairs)


def parse_authorization(value):
    """(access key, [signed header names], signature) of an SDK-HMAC-SHA256 Authorization value, or None."""
    if not value.startswith(ALGORITHM + " "):
        return None
    fields = {}
    for part in value[len(ALGORITHM) + 1 :].split(","):
        name, sep, content = part.strip().partition("=")
        if not sep:
            return None
        fields[name] = content
    if not all(fields.get(name) for name in ("Access", "SignedHeaders", "Signature")):
        return None
    return fields["Access"], fields["SignedHeaders"].split(";"), fields["Signature"]


def string_to_sign(request, signed_headers, sdk_date):
    """The string an SDK-HMAC-SHA256 client had to sign for this received request."""
    # The raw request target (not urlsplit: a path starting with // is not a host here).
    raw_path, _sep, raw_query = request.target.partition("?")
    received = {}
    for name, value in request.headers:
        received.setdefault(name.lower(), value)
    canonical_headers = "".join("%s:%s\n" % (name, received[name].strip()) for name in signed_headers)
    if not request.body:
        payload_hash = hashlib.sha256(b"").hexdigest()
    elif "x-sdk-content-sha256" in received:
        payload_hash = received["x-sdk-content-sha256"]
    else:
        payload_hash = hashlib.sha256(request.body).hexdigest()
    canonical = "\n".join(
        (
            request.method.upper(),
            canonical_path(raw_path.partition("#")[0]),
            canonical_query_string(raw_query.partition("#")[0]),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash,
        )
    )
    return "%s\n%s\n%s" % (ALGORITHM, sdk_date, hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def iso_expiry(epoch):
    """Keystone's timestamp format, e.g. 2026-11-29T09:00:00.000000Z."""
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------- authentication
class Identity:
    """Who made an authenticated request and how (method: none, token, iam_token or aksk)."""

    def __init__(self, method, subject=None, projects=None, project_id=None):
        self.method = method
        self.subject = subject
        # {name: id} of the projects the credentials can see (for GET /v3/projects).
        self.projects = dict(projects or {})
        self.project_id = project_id


class Authenticator:
    """Checks API requests against the current emulator configuration (read at every request)."""

    def __init__(self, state):
        self.state = state

    def configured(self):
        config = self.state.config
        return bool(config.get("tokens") or config.get("access_keys") or config.get("iam_users"))

    def authenticate(self, request, project_scoped=True):
        """Return an Identity, or raise ApiError (401) when the request is not authenticated.

        ``project_scoped``: the route is a project-level one (Fabric-ep); an AK/SK request then needs an
        X-Project-Id of one of the key's projects, when the key has any.
        """
        with self.state.lock:
            if not self.configured():
                return Identity("none")
            token = request.header("X-Auth-Token")
            if token is not None:
                return self._token(token)
            authorization = request.header("Authorization")
            if authorization is not None and authorization.strip().startswith(ALGORITHM + " "):
                return self._signature(request, authorization.strip(), project_scoped)
            raise unauthorized()

    def _token(self, token):
        for candidate in self.state.config.get("tokens") or ():
            if hmac.compare_digest(token.encode("utf-8"), candidate.encode("utf-8")):
                return Identity("token")
        issued = self.state.issued_tokens.get(token)
        if issued is None:
            raise unauthorized()
        if issued["expires"] <= self.state.wallclock():
            raise token_expired(issued["expires_at"])
        return Identity("iam_token", issued["user_name"], issued["projects"], issued["project"]["id"])

    def _signature(self, request, authorization, project_scoped):
        parsed = parse_authorization(authorization)
        if parsed is None:
            raise aksk_failure('the Authorization header is not "SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=..."')
        access_key, signed_headers, signature = parsed
        entry = (self.state.config.get("access_keys") or {}).get(access_key)
        if entry is None:
            raise unknown_access_key()
        present = set(request.header_names())
        if "x-sdk-date" not in present:
            raise aksk_failure("the request has no X-Sdk-Date header")
        if "x-sdk-date" not in signed_headers:
            raise aksk_failure("x-sdk-date is not in SignedHeaders")
        for name in signed_headers:
            if name != name.lower() or name not in present:
                raise aksk_failure("the signed header %r is not in the request" % name)
        for name in ("x-security-token", "x-project-id"):
            if name in present and name not in signed_headers:
                raise aksk_failure("%s is sent but not signed" % name)
        sdk_date = request.header("X-Sdk-Date").strip()
        try:
            moment = datetime.datetime.strptime(sdk_date, DATE_FORMAT).replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            raise aksk_failure("X-Sdk-Date is not in the format YYYYMMDDTHHMMSSZ") from None
        skew = abs(moment.timestamp() - self.state.wallclock())
        if skew > MAX_CLOCK_SKEW_SECONDS:
            raise aksk_failure("X-Sdk-Date %s is %d seconds away from the server time (at most %d)" % (sdk_date, skew, MAX_CLOCK_SKEW_SECONDS))
        security_token = request.header("X-Security-Token")
        if entry["security_token"] is not None:
            if security_token is None:
                raise aksk_failure("temporary credentials need the X-Security-Token header")
            if not hmac.compare_digest(security_token.strip().encode("utf-8"), entry["security_token"].encode("utf-8")):
                raise aksk_failure("the X-Security-Token does not belong to this access key")
        elif security_token is not None:
            raise aksk_failure("X-Security-Token is sent with a permanent access key")
        expected = hmac.new(
            entry["secret_key"].encode("utf-8"), string_to_sign(request, signed_headers, sdk_date).encode("utf-8"), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", errors="replace")):
            raise aksk_failure()
        projects = dict(entry["projects"])
        known = set(projects.values()) | ({entry["project_id"]} if entry["project_id"] else set())
        project_id = request.header("X-Project-Id")
        if project_scoped and known and (project_id is None or project_id.strip() not in known):
            raise aksk_failure("X-Project-Id is missing or not a project of this access key")
        return Identity("aksk", access_key, projects, project_id.strip() if project_id else entry["project_id"])


# --------------------------------------------------------------------------- IAM
class IamApi:
    """The part of IAM the collection uses. ``handle`` returns (status, body[, headers]) or raises ApiError."""

    def __init__(self, state, authenticator):
        self.state = state
        self.authenticator = authenticator
        self.routes = {
            "/v3/auth/tokens": {"POST": self.issue_token},
            "/v3/projects": {"GET": self.list_projects},
        }

    def handle(self, request):
        path = request.path.rstrip("/") or "/"
        methods = self.routes.get(path)
        if methods is None:
            raise iam_error(404, "Could not find the resource %s." % request.path)
        handler = methods.get(request.method)
        if handler is None:
            raise iam_error(405, "The method %s is not allowed on %s." % (request.method, path))
        return handler(request)

    def issue_token(self, request):
        """POST /v3/auth/tokens, password method, project scope: 201 with the token in X-Subject-Token."""
        try:
            body = json.loads(request.body.decode("utf-8"))
            identity = body["auth"]["identity"]
            methods = identity["methods"]
            user = identity["password"]["user"]
            user_name, password, domain_name = user["name"], user["password"], user["domain"]["name"]
            scope = body["auth"].get("scope") or {}
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
            raise iam_error(
                400,
                'The request body must be {"auth": {"identity": {"methods": ["password"], "password": {"user": '
                '{"name", "password", "domain": {"name"}}}}, "scope": {"project": {"id" or "name"}}}}.',
            ) from None
        if not isinstance(methods, list) or "password" not in methods:
            raise iam_error(400, "Only the password method is emulated.")
        if not all(isinstance(value, str) for value in (user_name, password, domain_name)):
            raise iam_error(400, "The user name, password and domain name must be strings.")
        project = scope.get("project") if isinstance(scope, dict) else None
        if not isinstance(project, dict) or not (project.get("id") or project.get("name")):
            raise iam_error(400, "The emulator issues project-scoped tokens only: give auth.scope.project.id or .name.")
        with self.state.lock:
            account = self._user(user_name, password, domain_name)
            if account is None:
                raise iam_error(401, "The username or password is wrong.")
            found = None
            for name, project_id in account["projects"].items():
                if project.get("id") == project_id or (not project.get("id") and project.get("name") == name):
                    found = {"id": project_id, "name": name}
                    break
            if found is None:
                raise iam_error(400, "The project %s is not a project of the user." % (project.get("id") or project.get("name")))
            now = self.state.wallclock()
            token = "MIIEmu" + secrets.token_urlsafe(48)
            record = {
                "token": token,
                "user_name": account["user_name"],
                "domain_name": account["domain_name"],
                "project": found,
                "projects": dict(account["projects"]),
                "issued_at": iso_expiry(now),
                "expires_at": iso_expiry(now + TOKEN_LIFETIME_SECONDS),
                "expires": now + TOKEN_LIFETIME_SECONDS,
            }
            self.state.issued_tokens[token] = record
        domain = {"name": record["domain_name"]}
        payload = {
            "token": {
                "methods": ["password"],
                "issued_at": record["issued_at"],
                "expires_at": record["expires_at"],
                "user": {"name": record["user_name"], "domain": domain},
                "project": {"id": found["id"], "name": found["name"], "domain": domain},
                "roles": [],
                "catalog": [],
            }
        }
        return 201, payload, [("X-Subject-Token", token)]

    def _user(self, user_name, password, domain_name):
        for account in self.state.config.get("iam_users") or ():
            if (
                account["user_name"] == user_name
                and account["domain_name"] == domain_name
                and hmac.compare_digest(account["password"].encode("utf-8"), password.encode("utf-8"))
            ):
                return account
        return None

    def list_projects(self, request):
        """GET /v3/projects[?name=]: the projects the credentials can see (AK/SK signed, or a token)."""
        identity = self.authenticator.authenticate(request, project_scoped=False)
        wanted = (request.query.get("name") or [None])[0]
        projects = [
            {"id": project_id, "name": name, "enabled": True}
            for name, project_id in sorted(identity.projects.items())
            if wanted is None or name == wanted
        ]
        return 200, {"projects": projects, "links": {"self": request.path}}


def issued_token_view(record):
    """The control API's view of an issued token (for tests: the value is needed to look for leaks)."""
    view = copy.deepcopy(record)
    view.pop("expires", None)
    return view
