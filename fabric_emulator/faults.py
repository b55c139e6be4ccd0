# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault rules: make matching API requests fail, hang, or lose their connection."""

from __future__ import annotations

import copy
import json
import re

from .errors import default_error_body, status_phrase

FAULT_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "*")
FAULT_KEYS = frozenset(("method", "path", "times", "every", "status", "body", "html", "retry_after", "drop", "delay", "apply"))
_UNSET = object()


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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
        self.html = spec.get("html", False)
        self.drop = spec.get("drop", False)
        self.apply = spec.get("apply", False)
        for name in ("html", "drop", "apply"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError("%s must be a boolean" % name)
        self.delay = spec.get("delay", 0)
        if not _is_number(self.delay) or self.delay < 0 or self.delay > 600:
            raise ValueError("delay must be a number of seconds between 0 and 600")
        retry_after = spec.get("retry_after")
        if retry_after is not None and not isinstance(retry_after, (str, int, float)):
            raise ValueError("retry_after must be a string or a number")
        self.retry_after = None if retry_after is None else str(retry_after)
        if self.body is not _UNSET and self.status is None:
            raise ValueError("body needs a status")
        if self.retry_after is not None and self.status is None and not self.html:
            raise ValueError("retry_after needs a status or html")
        if not (self.delay or self.drop or self.html or self.status is not None):
            raise ValueError("a fault rule needs at least one of status, html, drop, delay")
        if self.html and self.status is None:
            self.status = 502

    def matches(self, method, path):
        return (self.method == "*" or self.method == method) and self.regex.search(path) is not None

    def alters_response(self):
        """False for a delay-only rule (slow but otherwise normal answer)."""
        return self.drop or self.html or self.status is not None

    def describe(self):
        """What happened to a request, for the request log."""
        result = {"id": self.id, "delay": self.delay, "drop": self.drop, "html": self.html, "apply": self.apply, "status": None}
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
        }
        if self.body is not _UNSET:
            result["body"] = copy.deepcopy(self.body)
        return result

    def render(self):
        """(status, content_type, body bytes, extra headers) of the faulty answer."""
        headers = []
        if self.retry_after is not None:
            headers.append(("Retry-After", self.retry_after))
        if self.html:
            page = "<html><head><title>%d %s</title></head><body><h1>%d %s</h1><hr><center>api-gateway</center></body></html>\n" % (
                self.status,
                status_phrase(self.status),
                self.status,
                status_phrase(self.status),
            )
            return self.status, "text/html", page.encode("utf-8"), headers
        body = default_error_body(self.status) if self.body is _UNSET else self.body
        return self.status, "application/json", json.dumps(body).encode("utf-8"), headers


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
