# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the official SDK's models (huaweicloudsdkdataartsfabricep.v1.model) define, read from the models themselves.

Every model has ``openapi_types`` (attribute -> type name) and ``attribute_map`` (attribute -> JSON key). Type names
are primitives (``str``, ``int``, ...), ``datetime``, ``list[X]``, ``dict(str, X)`` or another model's class name;
a model without attributes (``StatusEnum``, ``ServiceType``) is an enumeration of upper-case string constants.
"""

from __future__ import annotations

import datetime
import re

import huaweicloudsdkdataartsfabricep.v1.model as MODELS

PRIMITIVES = {"str": str, "int": int, "float": float, "bool": bool}
LIST_RE = re.compile(r"list\[(.+)\]")
DICT_RE = re.compile(r"dict\(([^,]+), (.+)\)")
TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})")


def model_class(type_name):
    return getattr(MODELS, type_name, None)


def json_fields(type_name):
    """The JSON keys a model defines (its attribute_map's values), in the model's order."""
    return tuple(model_class(type_name).attribute_map.values())


def enum_values(type_name):
    klass = model_class(type_name)
    return sorted(value for key, value in vars(klass).items() if key.isupper() and isinstance(value, str))


def _attribute_types(klass):
    """JSON key -> type name of a model."""
    return {klass.attribute_map[attr]: type_name for attr, type_name in klass.openapi_types.items()}


def unknown_fields(data, type_name, path=""):
    """Paths of the JSON keys in data that the model (recursively) does not define: what the SDK drops silently."""
    found = []
    match = LIST_RE.fullmatch(type_name)
    if match:
        for index, item in enumerate(data if isinstance(data, list) else []):
            found += unknown_fields(item, match.group(1), "%s[%d]" % (path, index))
        return found
    klass = model_class(type_name)
    if klass is None or not isinstance(data, dict):
        return found
    types = _attribute_types(klass)
    for key, value in data.items():
        where = "%s.%s" % (path, key) if path else key
        if key not in types:
            found.append(where)
        else:
            found += unknown_fields(value, types[key], where)
    return found


def body_problems(data, type_name, path="body"):
    """Why data would not parse exactly into the model: unknown fields and values of another JSON type."""
    match = LIST_RE.fullmatch(type_name)
    if match:
        if not isinstance(data, list):
            return ["%s: a list expected, got %r" % (path, data)]
        problems = []
        for index, item in enumerate(data):
            problems += body_problems(item, match.group(1), "%s[%d]" % (path, index))
        return problems
    match = DICT_RE.fullmatch(type_name)
    if match:
        if not isinstance(data, dict):
            return ["%s: an object expected, got %r" % (path, data)]
        problems = []
        for key, value in data.items():
            problems += body_problems(value, match.group(2), "%s.%s" % (path, key))
        return problems
    if type_name in PRIMITIVES:
        expected = PRIMITIVES[type_name]
        if isinstance(data, bool) != (expected is bool) or not isinstance(data, expected):
            return ["%s: %s expected, got %r" % (path, type_name, data)]
        return []
    if type_name == "datetime":
        return [] if isinstance(data, str) and TIME_RE.fullmatch(data) else ["%s: an ISO 8601 timestamp expected, got %r" % (path, data)]
    if type_name == "object":
        return []
    klass = model_class(type_name)
    if klass is None:
        return ["%s: the SDK has no model %s" % (path, type_name)]
    if not klass.openapi_types:
        values = enum_values(type_name)
        return [] if data in values else ["%s: one of %s expected, got %r" % (path, values, data)]
    if not isinstance(data, dict):
        return ["%s: an object (%s) expected, got %r" % (path, type_name, data)]
    types = _attribute_types(klass)
    problems = []
    for key, value in data.items():
        where = "%s.%s" % (path, key)
        if key not in types:
            problems.append("%s: not a field of %s (it has %s)" % (where, type_name, ", ".join(types)))
        elif value is not None:
            problems += body_problems(value, types[key], where)
    return problems


# ------------------------------------------------------------------ timestamps
def instant(text):
    """(seconds since the epoch, nanoseconds) of an ISO 8601 timestamp with a zone; a reference independent of
    the SDK and of the emulator. Raises ValueError for anything else."""
    match = TIME_RE.fullmatch(text)
    if match is None:
        raise ValueError("not an ISO 8601 timestamp with a zone: %r" % (text,))
    fields = [int(part) for part in match.groups()[:6]]
    moment = datetime.datetime(*fields, tzinfo=datetime.timezone.utc)
    zone = match.group(8)
    if zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment -= offset if zone[0] == "+" else -offset
    return int(moment.timestamp()), int((match.group(7) or "0").ljust(9, "0"))


def as_datetime(text):
    """The instant of text as an aware datetime, cut to microseconds (as far as a datetime goes)."""
    seconds, nanos = instant(text)
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc) + datetime.timedelta(microseconds=nanos // 1000)


def sdk_parses_time(text):
    """Whether the SDK turns this timestamp into a datetime.

    huaweicloudsdkcore 3.1.219 (Client._deserialize_data_time) appends "Z" to every timestamp that does not end
    with one and hands the result to dateutil: "...+0800" becomes "...+0800Z", which dateutil rejects, and the SDK
    then returns the original string with a TypeConversionWarning. Only a timestamp in UTC written with "Z" arrives
    as a datetime.
    """
    return text.endswith("Z")
