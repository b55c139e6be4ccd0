# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors of the Fabric layer and the parsing of the API's error bodies.

Nothing here ever reads request headers: an error message can only carry what the
server answered (status, codes, messages, request id), never a token or a signature.
"""

from __future__ import annotations

import json
import re

# How much of a non-JSON error page (an HTML gateway page, say) a message quotes: its title and first words
# say what answered; the rest of the page is markup and boilerplate.
_TEXT_SNIPPET = 200
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


class FabricError(Exception):
    """Base of every error this collection raises on purpose; turned into a failure in one place."""

    def details(self):
        """Extra keys for the failure result."""
        return {}


class FabricInputError(FabricError):
    """The task's options are wrong; raised before any request is sent."""


class FabricAuthError(FabricError):
    """No usable authentication, or the identity service refused it."""


class FabricConnectionError(FabricError):
    """The request never got an HTTP answer (refused, reset, timed out) after every retry."""

    def __init__(self, method, path, reason, attempts):
        self.method = method
        self.path = path
        self.reason = reason
        self.attempts = attempts
        super().__init__("{0} {1} failed after {2} attempt(s): {3}".format(method, path, attempts, reason))


class FabricApiError(FabricError):
    """An HTTP error answer of the API, with everything its body and headers said."""

    def __init__(self, status, method, path, error_code=None, error_msg=None, solution_msg=None, request_id=None):
        self.status = status
        self.method = method
        self.path = path
        self.error_code = error_code
        self.error_msg = error_msg
        self.solution_msg = solution_msg
        self.request_id = request_id
        super().__init__(self._message())

    def _message(self):
        parts = ["{0} {1} returned HTTP {2}".format(self.method, self.path, self.status)]
        if self.error_code is not None:
            parts.append("error_code={0}".format(self.error_code))
        if self.error_msg:
            parts.append("error_msg={0}".format(self.error_msg))
        if self.solution_msg:
            parts.append("solution_msg={0}".format(self.solution_msg))
        parts.append("request_id={0}".format(self.request_id or "(none)"))
        return ", ".join(parts)

    def details(self):
        return {
            "error": {
                "status": self.status,
                "error_code": self.error_code,
                "error_msg": self.error_msg,
                "solution_msg": self.solution_msg,
                "request_id": self.request_id,
            }
        }


class FabricUnexpectedAnswer(FabricApiError):
    """A 2xx that is not the API's JSON, or a 3xx: a proxy's or WAF's page, a redirect to a sign-in page."""

    def __init__(self, status, method, path, content_type, what, text=None, request_id=None):
        self.content_type = content_type or "(none)"
        detail = "HTTP {0} with content type {1}: {2}".format(status, self.content_type, what)
        snippet = _text_snippet(text) if text else None
        if snippet:
            detail += " ({0})".format(snippet)
        super().__init__(status, method, path, error_code="unexpected_answer", error_msg=detail, request_id=request_id)

    def _message(self):
        return "{0} {1} got an answer that is not the API's: {2}; a proxy, firewall or sign-in page may stand in between, request_id={3}".format(
            self.method, self.path, self.error_msg, self.request_id or "(none)"
        )


class FabricWaitError(FabricError):
    """The instance did not reach the requested state: FAILED, another writer, or the deadline."""

    def __init__(self, message, instance=None):
        self.instance = instance
        super().__init__(message)

    def details(self):
        return {"instance": self.instance} if self.instance is not None else {}


class FabricTimeoutError(FabricWaitError):
    """The wait_timeout ran out before the instance (or the fleet) reached the requested state."""


def _find_codes(body):
    """The (code, message) pair of an error body, looking where the official SDK looks."""
    for code_key, msg_key in (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")):
        if code_key in body or msg_key in body:
            return body.get(code_key), body.get(msg_key)
    for value in body.values():
        if isinstance(value, dict):
            found = _find_codes(value)
            if found != (None, None):
                return found
    return None, None


def _text_snippet(text):
    text = _SPACE.sub(" ", _TAG.sub(" ", text or "")).strip()
    return text[:_TEXT_SNIPPET] or None


def request_id_of(headers):
    """The X-Request-Id of a response (the API documents both spellings; requests' headers ignore case)."""
    return headers.get("X-Request-Id") if headers is not None else None


def api_error(status, method, path, headers, body_text):
    """Build a FabricApiError from a raw answer, whatever shape its body has."""
    try:
        body = json.loads(body_text) if body_text else None
    except ValueError:
        body = None
    error_code = error_msg = solution_msg = None
    if isinstance(body, dict):
        error_code, error_msg = _find_codes(body)
        solution_msg = body.get("solution_msg")
    elif body_text:
        error_msg = _text_snippet(body_text)
    if error_code is None:
        error_code = str(status)
    return FabricApiError(
        status,
        method,
        path,
        error_code=str(error_code),
        error_msg=None if error_msg is None else str(error_msg),
        solution_msg=solution_msg,
        request_id=request_id_of(headers),
    )
