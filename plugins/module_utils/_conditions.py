# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one API answer says about an instance: named, pure predicates, and the wait conditions built on them.

Every function here takes what a read returned (the instance as a dict, or None for a 404) and the facts
the task already knows (the instance before the write, the requested values); none sends a request. So
the waits of both modules are tested on recorded answers, without HTTP and without ``main()``.

A wait condition maps one answer to an outcome: ``Done(value)`` ends the wait, ``Pending(status)`` polls
again, and a FabricWaitError stops it at once (FAILED, another writer).
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricWaitError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._instance import (
    DELETED,
    FAILED,
    FIELD_BY_OPTION,
    TRANSITIONAL,
    shaped,
    shows,
)

# ISO 8601 as the API may write it: 0 to 9 fractional digits, and Z, +08:00, +0800 or no offset (then UTC).
# Parsed by hand: datetime.fromisoformat() of Python 3.9 and 3.10 takes only 3 or 6 digits and +HH:MM.
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$",
    re.IGNORECASE,
)


class Pending:
    """A poll that did not reach the goal yet; ``status`` is what it saw."""

    def __init__(self, status):
        self.status = status


class Done:
    """A poll that reached the goal; ``value`` is what the wait returns, ``status`` the status it ended on."""

    def __init__(self, value, status=None):
        self.value = value
        self.status = status if status is not None else status_of(value)


def instant(value):
    """An API timestamp as an aware datetime, or None when it cannot be read."""
    match = _TIMESTAMP.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    microseconds = int((fraction or "0")[:6].ljust(6, "0"))
    zone = datetime.timezone.utc
    if offset and offset.upper() != "Z":
        digits = offset[1:].replace(":", "")
        delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        zone = datetime.timezone(-delta if offset[0] == "-" else delta)
    try:
        return datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), microseconds, zone)
    except ValueError:
        return None


def newer(value, than):
    """Whether timestamp ``value`` is later than ``than`` (False when either cannot be read)."""
    later, earlier = instant(value), instant(than)
    return later is not None and earlier is not None and later > earlier


# The named predicates over one answer.


def status_of(seen):
    return seen.get("status") if isinstance(seen, dict) else None


def is_transitional(seen):
    return status_of(seen) in TRANSITIONAL


def is_steady(seen):
    """Present and in a status that will not change by itself (FAILED included)."""
    return seen is not None and not is_transitional(seen)


def is_gone(seen):
    """Deleted: the API answers 404 (None here) or shows DELETED."""
    return seen is None or status_of(seen) == DELETED


def is_failed(seen):
    return status_of(seen) == FAILED


def is_fresh(seen, before):
    """Whether the instance was written after the read ``before`` (its update_time is newer)."""
    return before is not None and newer((seen or {}).get("update_time"), before.get("update_time"))


def shows_requested(seen, requested):
    """Whether the instance shows every requested value ({option: value})."""
    return seen is not None and shows(seen, requested)


def changed_by_another_writer(seen, before, requested):
    """Steady, newer than ``before``, yet not showing what this task requested: another writer won."""
    return is_steady(seen) and not is_failed(seen) and is_fresh(seen, before) and not shows_requested(seen, requested)


def failed_text(instance_id, seen, what):
    """The instance's own error, for a failure or a warning."""
    return "instance {0} {1}: error_code={2}, error_msg={3}".format(instance_id, what, seen.get("error_code"), seen.get("error_msg"))


# The wait conditions: one answer in, an outcome out.


def settled(seen):
    """Before a change: any steady status will do."""
    return Pending(status_of(seen)) if is_transitional(seen) else Done(seen)


def update_applied(before, requested):
    """After a PUT: steady, not FAILED, and showing the requested values (a stale read shows the old ones)."""
    instance_id = before["id"]
    was_failed = is_failed(before)

    def condition(seen):
        if is_transitional(seen):
            return Pending(status_of(seen))
        if is_failed(seen):
            # An instance that was FAILED before the update and still shows the old values and the old update_time
            # has not shown the update yet; anything else FAILED is the update's own failure.
            if was_failed and not is_fresh(seen, before) and not shows_requested(seen, requested):
                return Pending("FAILED (the update not shown yet)")
            raise FabricWaitError(failed_text(instance_id, seen, "is FAILED after the update"), seen)
        if shows_requested(seen, requested):
            return Done(seen)
        if changed_by_another_writer(seen, before, requested):
            current = shaped({option: FIELD_BY_OPTION[option].get(seen) for option in requested})
            raise FabricWaitError("another writer changed instance {0} during the update; it now shows {1}".format(instance_id, current), seen)
        return Pending("{0} (requested values not shown yet)".format(status_of(seen)))

    return condition


def deployed(instance_id):
    """After a POST: visible and steady; FAILED ends the wait."""

    def condition(seen):
        if seen is None:
            return Pending("not visible yet")
        if is_transitional(seen):
            return Pending(status_of(seen))
        if is_failed(seen):
            raise FabricWaitError(failed_text(instance_id, seen, "is FAILED after deployment"), seen)
        return Done(seen)

    return condition


def deleted(before):
    """After a DELETE: gone. A read that still shows the instance as it was before (a stale read, or a FAILED
    instance whose deletion has not started yet) is pending; FAILED written after the DELETE ends the wait."""
    instance_id = before["id"]

    def condition(seen):
        if is_gone(seen):
            return Done({}, "DELETED" if seen else "(gone: 404)")
        if is_failed(seen) and (is_fresh(seen, before) or not is_failed(before)):
            raise FabricWaitError(failed_text(instance_id, seen, "is FAILED instead of deleted"), seen)
        return Pending(status_of(seen))

    return condition
