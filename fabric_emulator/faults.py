# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault rules: make matching API requests fail, hang, or lose their connection."""

from __future__ import annotations

import copy
import html
import json
import re
import urllib.parse

from .errors import default_error_body, status_phrase

FAULT_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "*")
FAULT_KEYS = frozenset(
    ("method", "path", "times", "every", "status", "body", "html", "retry_after", "drop", "delay", "apply", "redirect", "empty", "then")
)
THEN_ACTIONS = ("create", "delete")
# Where a redirect sends the client unless the rule names a Location: the emulator's own sign-in page.
SIGN_IN_LOCATION = "/_emulator/sign-in"
SIGN_IN_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><h1>Sign in</h1>"
    '<form method="post" action="%s"><input name="user"><input name="password" type="password">'
    "<button>Sign in</button></form></body></html>\n" % SIGN_IN_LOCATION
)
_UNSET = object()


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_then(then):
    """{"create": {instance fields}} or {"delete": "<instance id>"}: one state change after the answer."""
    if not isinstance(then, dict) or len(then) != 1 or next(iter(then)) not in THEN_ACTIONS:
        raise ValueError('then must be {"create": {...}} or {"delete": "<instance id>"}')
    if "create" in then and not isinstance(then["create"], dict):
        raise ValueError("then.create must be an object (the instance's fields)")
    if "delete" in then and not (isinstance(then["delete"], str) and then["delete"]):
        raise ValueError("then.delete must be an instance id")
    return copy.deepcopy(then)


class FaultRule:
    """One rule. Raises ValueError from the constructor when the definition is invalid."""

    def __init__(self, rule_id, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault rule must be a JSON object")
        unknown = sorted(set(spec) - FAULT_KEYS)
        if unknown:
            raise ValueError("unknown fault rule keys: %s" % ", ".join(unknown))
        self.id = rule_id
        self.method = str(spec.get("method", "*")).upper()
        if self.method not in FAULT_METHODS:
            raise ValueError("method must be one of %s" % ", ".join(FAULT_METHODS))
        self.path = spec.get("path", "")
        if not isinstance(self.path, str):
            raise ValueError("path must be a string (a regular expression)")
        try:
            self.regex = re.compile(self.path)
        except re.error as exc:
            raise ValueError("path is not a valid regular expression: %s" % exc) from None
        self.times = spec.get("times", 1)
        if not _is_int(self.times) or self.times < 1:
            raise ValueError("times must be an integer >= 1")
        # Only every Nth matching request is affected (the others pass this rule untouched): a fraction of the traffic.
        self.every = spec.get("every", 1)
        if not _is_int(self.every) or self.every < 1:
            raise ValueError("every must be an integer >= 1")
        self.seen = 0
        self.status = spec.get("status")
        if self.status is not None and (not _is_int(self.status) or not 100 <= self.status <= 599):
            raise ValueError("status must be an integer between 100 and 599")
        self.body = spec.get("body", _UNSET)
        # True (a page of the emulator's) or the page itself.
        self.html = spec.get("html", False)
        if not isinstance(self.html, (bool, str)):
            raise ValueError("html must be a boolean or the page (a string)")
        self.drop = spec.get("drop", False)
        self.apply = spec.get("apply", False)
        self.empty = spec.get("empty", False)
        for name in ("drop", "apply", "empty"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError("%s must be a boolean" % name)
        # True (to the sign-in page) or the Location itself.
        redirect = spec.get("redirect", False)
        if not isinstance(redirect, (bool, str)) or redirect == "":
            raise ValueError("redirect must be a boolean or a Location (a non-empty string)")
        self.redirect = SIGN_IN_LOCATION if redirect is True else (redirect or None)
        self.then = None if spec.get("then") is None else _check_then(spec["then"])
        self.delay = spec.get("delay", 0)
        if not _is_number(self.delay) or self.delay < 0 or self.delay > 600:
            raise ValueError("delay must be a number of seconds between 0 and 600")
        retry_after = spec.get("retry_after")
        if retry_after is not None and not isinstance(retry_after, (str, int, float)):
            raise ValueError("retry_after must be a string or a number")
        self.retry_after = None if retry_after is None else str(retry_after)
        if self.body is not _UNSET and self.status is None:
            raise ValueError("body needs a status")
        answers = [name for name, given in (("body", self.body is not _UNSET), ("html", self.html), ("empty", self.empty)) if given]
        if len(answers) > 1 or (self.redirect and answers not in ([], ["html"])):
            raise ValueError("one answer at most: %s (a redirect may carry html)" % " and ".join(answers + ["redirect"] * bool(self.redirect)))
        if self.redirect and self.status is not None and not 300 <= self.status <= 399:
            raise ValueError("a redirect needs a 3xx status")
        if self.retry_after is not None and not (self.status is not None or self.html or self.redirect or self.empty):
            raise ValueError("retry_after needs a status, html, redirect or empty")
        if not (self.delay or self.drop or self.html or self.redirect or self.empty or self.then or self.status is not None):
            raise ValueError("a fault rule needs at least one of status, html, redirect, empty, drop, delay, then")
        if self.status is None:
            if self.redirect:
                self.status = 302
            elif self.empty:
                self.status = 200
            elif self.html:
                self.status = 502

    def matches(self, method, path):
        return (self.method == "*" or self.method == method) and self.regex.search(path) is not None

    def alters_response(self):
        """False for a rule with only a delay and/or then (a slow or side-effecting but otherwise normal answer)."""
        return self.drop or self.status is not None

    def describe(self):
        """What happened to a request, for the request log."""
        result = {
            "id": self.id,
            "delay": self.delay,
            "drop": self.drop,
            "html": bool(self.html),
            "redirect": self.redirect,
            "empty": self.empty,
            "apply": self.apply,
            "then": copy.deepcopy(self.then),
            "status": None,
        }
        if not self.drop:
            result["status"] = self.status
        return result

    def to_dict(self):
        result = {
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "times": self.times,
            "every": self.every,
            "status": self.status,
            "html": self.html,
            "retry_after": self.retry_after,
            "drop": self.drop,
            "delay": self.delay,
            "apply": self.apply,
            "redirect": self.redirect,
            "empty": self.empty,
            "then": copy.deepcopy(self.then),
        }
        if self.body is not _UNSET:
            result["body"] = copy.deepcopy(self.body)
        return result

    def render(self, path=""):
        """(status, content_type, body bytes, extra headers) of the faulty answer to a request for path."""
        headers = []
        if self.retry_after is not None:
            headers.append(("Retry-After", self.retry_after))
        if self.redirect:
            location = self.redirect
            if location == SIGN_IN_LOCATION:
                location += "?" + urllib.parse.urlencode({"service": path})
            headers.append(("Location", location))
            page = self.html if isinstance(self.html, str) else self._redirect_page(location)
            return self.status, "text/html", page.encode("utf-8"), headers
        if self.empty:
            return self.status, "application/json", b"", headers
        if self.html:
            return self.status, "text/html", self._page().encode("utf-8"), headers
        body = default_error_body(self.status) if self.body is _UNSET else self.body
        return self.status, "application/json", json.dumps(body).encode("utf-8"), headers

    def _page(self):
        if isinstance(self.html, str):
            return self.html
        if 200 <= self.status <= 299:
            return SIGN_IN_PAGE  # what a single sign-on proxy or WAF serves in place of the API's JSON
        phrase = status_phrase(self.status)
        return "<html><head><title>%d %s</title></head><body><h1>%d %s</h1><hr><center>api-gateway</center></body></html>\n" % (
            self.status,
            phrase,
            self.status,
            phrase,
        )

    def _redirect_page(self, location):
        escaped = html.escape(location, quote=True)
        return '<html><head><title>%d %s</title></head><body>Redirecting to <a href="%s">%s</a></body></html>\n' % (
            self.status,
            status_phrase(self.status),
            escaped,
            escaped,
        )


class FaultList:
    """Ordered rules; not thread-safe by itself (the state lock guards it)."""

    def __init__(self):
        self.rules = []
        self._next_id = 1

    def add(self, spec):
        rule = FaultRule(self._next_id, spec)
        self._next_id += 1
        self.rules.append(rule)
        return rule

    def take(self, method, path):
        """The first matching rule whose turn it is, consuming one of its times (removed when used up)."""
        for rule in self.rules:
            if rule.matches(method, path):
                rule.seen += 1
                if rule.seen % rule.every:
                    continue
                rule.times -= 1
                if rule.times <= 0:
                    self.rules.remove(rule)
                return rule
        return None

    def clear(self):
        self.rules = []

    def to_list(self):
        return [rule.to_dict() for rule in self.rules]
