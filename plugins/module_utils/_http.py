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
import re
import ssl
import time
import traceback

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _retry
from ansible_collections.hwcloud.dataarts.plugins.module_utils._connection import DEFAULT_API_RETRIES, DEFAULT_API_TIMEOUT
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import (
    FabricConnectionError,
    FabricUnexpectedAnswer,
    api_error,
    request_id_of,
)
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
    """What a successful request answered: status, parsed JSON body (or None), headers.

    ``confirmed`` marks the answer of a write whose own answer was lost and that a read showed took effect:
    then ``body`` is what that read found.
    """

    def __init__(self, status, body, headers, confirmed=False):
        self.status = status
        self.body = body
        self.headers = headers
        self.confirmed = confirmed


# The shortest timeout a request gets when the task's deadline is (nearly) reached: enough for a local answer,
# short enough that a hanging server cannot hold the task past its wait_timeout.
MIN_REQUEST_SECONDS = 0.5
# The longest reason of a failed attempt kept in a message. The reason is taken from the innermost error
# (urllib3's "Failed to establish a new connection: [Errno 111] Connection refused"), never from the outer
# text that repeats the whole URL first, so a long URL cannot push the cause out of the message.
REASON_CHARS = 300
_OBJECT_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-fA-F]+>:?\s*")
_NOT_SENT_CAUSES = ("NewConnectionError", "ConnectTimeoutError", "NameResolutionError")


def _chain(exc):
    """The exception and every error behind it (urllib3's ``reason``, the cause, the context, wrapped arguments)."""
    found, stack, seen = [], [exc], set()
    while stack:
        current = stack.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        found.append(current)
        stack.extend([getattr(current, "reason", None), current.__cause__, current.__context__])
        stack.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return found


def _certificate_error(exc):
    """The certificate verification error behind ``exc`` (unknown CA, hostname mismatch, expired), or None."""
    return next((err for err in _chain(exc) if isinstance(err, ssl.SSLCertVerificationError)), None)


def _failure_kind(exc):
    """Whether a requests exception happened before the request left (safe to resend) or maybe after."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return _retry.NOT_SENT
    if isinstance(exc, requests.exceptions.SSLError):
        # A handshake that broke off: nothing of the request was sent yet.
        return _retry.NOT_SENT
    if isinstance(exc, requests.exceptions.ConnectionError):
        if any(type(err).__name__ in _NOT_SENT_CAUSES for err in _chain(exc)):
            return _retry.NOT_SENT
    return _retry.MAYBE_SENT


def _reason(exc):
    """The most specific text of a requests exception: urllib3's reason when there is one."""
    chain = _chain(exc)
    reasons = [err for err in chain[1:] if type(err).__module__.startswith("urllib3") and type(err).__name__ != "MaxRetryError"]
    text = str(reasons[0] if reasons else chain[-1] if len(chain) > 1 else exc)
    return _OBJECT_REPR.sub("", text).strip()[:REASON_CHARS]


def _describe(exc):
    """A short reason for a failed attempt; requests' texts name the host and path, never headers."""
    certificate = _certificate_error(exc)
    if certificate is not None:
        return "TLS verification failed (certificate: {0}); set ca_path to the CA bundle, or validate_certs: false for a test endpoint".format(
            certificate.verify_message or certificate.reason or "certificate verify failed"
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out ({0})".format(type(exc).__name__)
    return "{0}: {1}".format(type(exc).__name__, _reason(exc))


class FabricClient:
    """Sends requests to one base URL with retries, backoff, timeouts and an auth object."""

    def __init__(
        self,
        base_url,
        auth=None,
        timeout=DEFAULT_API_TIMEOUT,
        retries=DEFAULT_API_RETRIES,
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

    def _timeout(self):
        """The per-request timeout, cut to what is left of the task's deadline (a request never outlives the task)."""
        if self.deadline is None:
            return self.timeout
        return max(MIN_REQUEST_SECONDS, min(self.timeout, self.deadline - self.clock()))

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
            timeout=(self._timeout(), self._timeout()),
            allow_redirects=False,
        )

    def request(self, method, path, query=None, body=None, idempotent=None, confirm_write=None):
        """Send one logical request; returns an ApiResponse or raises a FabricError.

        ``query`` is a list of (key, value) pairs, sent in canonical order. ``idempotent`` overrides
        the method's own safety (a token request may be repeated). ``confirm_write`` is called when a
        write's outcome is unknown: it returns what a read found when the write took effect (the instance),
        None when it did not (then, and only then, the write is sent again). Without it such a write is
        never resent.
        """
        method = method.upper()
        url = self.url(path, query)
        data = None
        send_headers = {"Content-Type": "application/json"}
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        auth = self.auth
        attempt = 0
        while True:
            attempt += 1
            retry_after = None
            try:
                response = self._send(method, url, data, send_headers, auth)
            except requests.exceptions.RequestException as exc:
                error = FabricConnectionError(method, path, _describe(exc), attempt)
                if _certificate_error(exc) is not None:
                    raise error from None
                decision = _retry.decide_failure(method, _failure_kind(exc), idempotent)
            else:
                error = _unexpected(method, path, response)
                if response.status_code < 300 and error is None:
                    return ApiResponse(response.status_code, _json_or_none(response), response.headers)
                if error is not None:
                    # Not the API's answer: a read fails clearly, a write's outcome is unknown (read back first).
                    decision = _retry.decide_unexpected(method, idempotent)
                else:
                    error = api_error(response.status_code, method, path, response.headers, response.text)
                    decision = _retry.decide_status(method, response.status_code, idempotent)
                    retry_after = _retry.parse_retry_after(response.headers.get("Retry-After"))
            if decision == _retry.UNKNOWN_OUTCOME:
                if confirm_write is None:
                    raise error
                found = confirm_write()
                if found is not None:
                    return ApiResponse(None, found, {}, confirmed=True)
                decision = _retry.RETRY
            if decision != _retry.RETRY or attempt > self.retries:
                raise error
            pause = self.backoff.delay(attempt - 1, retry_after)
            if self.deadline is not None and self.clock() + pause > self.deadline:
                raise error
            self.sleep(pause)


def _unexpected(method, path, response):
    """A FabricUnexpectedAnswer for a 3xx, or a 2xx whose body is not JSON; None for anything else."""
    status = response.status_code
    content_type = response.headers.get("Content-Type")
    request_id = request_id_of(response.headers)
    if 300 <= status < 400:
        what = "a redirect to {0}".format(response.headers.get("Location") or "(no Location)")
        return FabricUnexpectedAnswer(status, method, path, content_type, what, response.text, request_id)
    if status < 300 and response.content:
        try:
            response.json()
        except ValueError:
            return FabricUnexpectedAnswer(status, method, path, content_type, "a body that is not JSON", response.text, request_id)
    return None


def _json_or_none(response):
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
