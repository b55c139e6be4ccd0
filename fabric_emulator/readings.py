# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Readings: the choices the documentation and the SDKs leave open, one configuration switch each.

The store keeps one truth (integers, ISO-8601 UTC timestamps with milliseconds); the switches here only shape
what an API answer shows. The first choice of each switch is the default (the emulator's behaviour before the
switches existed).
"""

from __future__ import annotations

import copy
import datetime
import re

READINGS = {
    # Do List items carry config/error_code/error_msg (newest doc page) or only the SDK's 12 brief fields?
    "list_items": ("full", "brief"),
    # Does update_time move when a PUT is accepted (and again when it completes), or only when it completes?
    "update_time_on": ("accept", "complete"),
    # A 2xx to PUT and DELETE: a JSON object, or no body at all (DELETE is documented as AnyType, SDK models empty).
    "write_body": ("json", "empty"),
    # resource min/max and duration as JSON integers (SDK int) or numeric strings (a translating gateway).
    "numbers": ("int", "string"),
    # 2023-05-30T12:24:30.401Z (doc example), +0800 offsets, or a mix of offsets and 0..9 fractional digits.
    "timestamps": ("millis_z", "offset", "varied"),
    # List "total": the real count, absent, a numeric string, or less than the real count.
    "list_total": ("exact", "missing", "string", "wrong"),
}
DEFAULT_READINGS = {key: choices[0] for key, choices in READINGS.items()}

# ServiceInstanceBriefInfo of the official SDKs (Python, Go, Java): exactly these 12 fields.
BRIEF_FIELDS = (
    "visibility",
    "source",
    "id",
    "name",
    "description",
    "endpoint_id",
    "status",
    "create_time",
    "update_time",
    "duration",
    "create_user",
    "type",
)
TIME_FIELDS = ("create_time", "update_time")

TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})")
EPOCH = datetime.datetime(1970, 1, 1)
NANOS = 1000000000
CHINA_OFFSET_MINUTES = 8 * 60  # the service's regions (cn-north-4, cn-southwest-2) are on UTC+08:00
VARIED_ZONES = ("Z", "+08:00", "+0800")


def normalize_reading(key, value):
    """A checked reading value. Raises ValueError."""
    if value not in READINGS[key]:
        raise ValueError("%s must be one of %s" % (key, ", ".join(READINGS[key])))
    return value


# ------------------------------------------------------------------ timestamps
def parse_time(text):
    """Nanoseconds since the epoch of an ISO-8601 timestamp with a zone, or None when it is not one."""
    match = TIME_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    try:
        moment = datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    fraction = int((match.group(7) or "").ljust(9, "0"))
    zone = match.group(8)
    offset_minutes = 0
    if zone != "Z":
        digits = zone[1:].replace(":", "")
        offset_minutes = int(digits[:2]) * 60 + int(digits[2:])
        if zone[0] == "-":
            offset_minutes = -offset_minutes
    seconds = (moment - EPOCH) // datetime.timedelta(seconds=1) - offset_minutes * 60
    return seconds * NANOS + fraction


def time_sort_key(text):
    """Orders timestamps by instant whatever their form; unparseable ones by their text, after the others."""
    nanos = parse_time(text)
    return (0, nanos, "") if nanos is not None else (1, 0, str(text or ""))


def format_time(nanos, zone="Z", digits=3):
    """The instant in the given zone ("Z", "+08:00" or "+0800") with that many fractional digits (must be exact)."""
    offset_minutes = 0 if zone == "Z" else CHINA_OFFSET_MINUTES
    local = nanos + offset_minutes * 60 * NANOS
    seconds, fraction = divmod(local, NANOS)
    if fraction % 10 ** (9 - digits):
        raise ValueError("%d fractional digits cannot show %d ns exactly" % (digits, fraction))
    text = (EPOCH + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + ("%09d" % fraction)[:digits]
    return text + zone


def _digits_needed(nanos):
    fraction = ("%09d" % (nanos % NANOS)).rstrip("0")
    return len(fraction)


def varied_form(nanos):
    """(zone, digits) for the "varied" reading: decided by the instant, so a timestamp always looks the same,
    and never fewer digits than the instant needs (the same instant, whatever the form)."""
    needed = _digits_needed(nanos)
    millis = nanos // 1000000
    key = millis // 1000 + millis % 1000
    return VARIED_ZONES[key % len(VARIED_ZONES)], needed + key % (10 - needed)


def render_time(text, mode):
    """A stored timestamp as the reading shows it; text that is no timestamp is shown unchanged."""
    if mode == "millis_z":
        return text
    nanos = parse_time(text)
    if nanos is None:
        return text
    if mode == "offset":
        return format_time(nanos, "+0800", max(3, _digits_needed(nanos)))
    return format_time(nanos, *varied_form(nanos))


# ------------------------------------------------------------------- answers
def _numeric_string(value):
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def render_instance(view, config, brief=False):
    """An instance view (Show, or a List item when brief) as the configured readings show it."""
    if brief:
        view = {key: view.get(key) for key in BRIEF_FIELDS}
    else:
        view = copy.deepcopy(view)
    for key in TIME_FIELDS:
        if key in view:
            view[key] = render_time(view[key], config["timestamps"])
    if config["numbers"] == "string":
        view["duration"] = _numeric_string(view.get("duration"))
        resource = ((view.get("config") or {}).get("model_instance_config") or {}).get("resource")
        if isinstance(resource, dict):
            for key in ("min", "max"):
                if key in resource:
                    resource[key] = _numeric_string(resource[key])
    return view


def list_body(items, matching, config):
    """The List answer for one page of rendered items out of `matching` instances that match the query."""
    body = {"service_instances": items}
    mode = config["list_total"]
    if mode == "exact":
        body["total"] = matching
    elif mode == "string":
        body["total"] = str(matching)
    elif mode == "wrong":
        # The page's own length, and always short of the real count when anything matches.
        body["total"] = min(len(items), matching - 1) if matching else 0
    # "total" first, as the documentation shows it
    return dict(sorted(body.items(), key=lambda pair: pair[0] != "total"))
