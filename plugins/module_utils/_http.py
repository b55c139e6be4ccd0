# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""FabricClient: the one place that sends HTTP requests, with the retry loop above the auth step.

The auth object is applied by ``requests`` when each attempt is prepared, so an AK/SK
signature (which carries a date) is computed afresh for every attempt.
"""

from __future__ import annotations

import json
import platform
import time
import traceback

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _retry
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricConnectionError, api_error
from ansible_collections.hwcloud.dataarts.plugins.module_utils._signer import canonical_query
from ansible_collections.hwcloud.dataarts.plugins.module_utils._version import COLLECTION_NAME, COLLECTION_VERSION

try:
    import requests

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the missing_required_lib path
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()


def user_agent():
    return "{0}/{1} ansible-core/{2} python/{3} requests/{4}".format(
        COLLECTION_NAME, COLLECTION_VERSION, ANSIBLE_CORE_VERSION, platform.python_version(), getattr(requests, "__version__", "none")
    )


class ApiResponse:
    """What a successful request answered: status, parsed JSON body (or None), headers."""

    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers


def _failure_kind(exc):
    """Whether a requests exception happened before the request left (safe to resend) or maybe after."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return _retry.NOT_SENT
    if isinstance(exc, requests.exceptions.ConnectionError):
        cause = repr(exc.args[0]) if exc.args else ""
        if "NewConnectionError" in cause or "ConnectTimeoutError" in cause or "NameResolutionError" in cause:
            return _retry.NOT_SENT
    return _retry.MAYBE_SENT


def _describe(exc):
    """A short reason for a failed attempt; requests' texts name the host and path, never headers."""
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS verification failed ({0}); set ca_path to the CA bundle, or validate_certs: false for a test endpoint".format(type(exc).__name__)
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out ({0})".format(type(exc).__name__)
    text = str(exc)
    return "{0}: {1}".format(type(exc).__name__, text[:300])


class FabricClient:
    """Sends requests to one base URL with retries, backoff, timeouts and an auth object."""

    def __init__(
        self,
        base_url,
        auth=None,
        timeout=30,
        retries=5,
        verify=True,
        session=None,
        clock=time.monotonic,
        sleep=time.sleep,
        backoff=None,
        deadline=None,
    ):
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.retries = retries
        self.clock = clock
        self.sleep = sleep
        self.backoff = backoff or _retry.Backoff()
        # A monotonic instant no backoff sleeps past (the task's deadline), or None.
        self.deadline = deadline
        self.session = session or requests.Session()
        self.session.verify = verify
        self.session.headers["User-Agent"] = user_agent()
        self.session.headers["Accept"] = "application/json"

    def url(self, path, query=None):
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        query_string = canonical_query(query or [])
        return url + ("?" + query_string if query_string else "")

    def _send(self, method, url, data, headers, auth):
        # verify is passed on every request, not only set on the session: requests lets REQUESTS_CA_BUNDLE or
        # CURL_CA_BUNDLE override a session-level verify, which would ignore ca_path and turn validate_certs: false
        # back on (psf/requests#3829). An explicit per-request value wins over the environment.
        return self.session.request(
            method,
            url,
            data=data,
            headers=headers,
            auth=auth,
            verify=self.session.verify,
            timeout=(self.timeout, self.timeout),
            allow_redirects=False,
        )

    def request(self, method, path, query=None, body=None, idempotent=None, confirm_write=None, auth=None, headers=None):
        """Send one logical request; returns an ApiResponse or raises a FabricError.

        ``query`` is a list of (key, value) pairs, sent in canonical order. ``idempotent`` overrides
        the method's own safety (a token request may be repeated). ``confirm_write`` is called when a
        write's outcome is unknown: it returns an ApiResponse when the write took effect, None when it
        did not (then, and only then, the write is sent again). Without it such a write is never resent.
        """
        method = method.upper()
        url = self.url(path, query)
        data = None
        send_headers = {"Content-Type": "application/json"}
        send_headers.update(headers or {})
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        auth = auth if auth is not None else self.auth
        attempt = 0
        while True:
            attempt += 1
            retry_after = None
            try:
                response = self._send(method, url, data, send_headers, auth)
            except requests.exceptions.RequestException as exc:
                error = FabricConnectionError(method, path, _describe(exc), attempt)
                if isinstance(exc, requests.exceptions.SSLError):
                    raise error from None
                decision = _retry.decide_failure(method, _failure_kind(exc), idempotent)
            else:
                if response.status_code < 400:
                    return ApiResponse(response.status_code, _json_or_none(response), response.headers)
                error = api_error(response.status_code, method, path, response.headers, response.text)
                decision = _retry.decide_status(method, response.status_code, idempotent)
                retry_after = _retry.parse_retry_after(response.headers.get("Retry-After"))
            if decision == _retry.UNKNOWN_OUTCOME:
                if confirm_write is None:
                    raise error
                confirmed = confirm_write()
                if confirmed is not None:
                    return confirmed
                decision = _retry.RETRY
            if decision != _retry.RETRY or attempt > self.retries:
                raise error
            pause = self.backoff.delay(attempt - 1, retry_after)
            if self.deadline is not None and self.clock() + pause > self.deadline:
                raise error
            self.sleep(pause)


def _json_or_none(response):
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
