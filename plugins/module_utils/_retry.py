# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What is retried, and how long to wait before the next attempt.

The contract: 429 and 503 were not processed, and a request that never left is safe to
send again, so those are retried for every method. 408, 500, 502, 504, a reset or a read
timeout leave a write's outcome unknown: a read is retried, a write is first checked.
"""

from __future__ import annotations

import email.utils
import math
import random
import time

RETRY = "retry"
UNKNOWN_OUTCOME = "unknown_outcome"
GIVE_UP = "give_up"

NOT_PROCESSED_STATUSES = frozenset((429, 503))
OUTCOME_UNKNOWN_STATUSES = frozenset((408, 500, 502, 504))
RETRIABLE_STATUSES = NOT_PROCESSED_STATUSES | OUTCOME_UNKNOWN_STATUSES
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))

# The longest Retry-After honoured as given (seconds).
MAX_RETRY_AFTER = 60.0

# A failure before the request left this host, or after it may have reached the server.
NOT_SENT = "not_sent"
MAYBE_SENT = "maybe_sent"


def _safe(method, idempotent):
    return idempotent if idempotent is not None else method.upper() in SAFE_METHODS


def decide_status(method, status, idempotent=None):
    """The decision for an HTTP error status."""
    if status in NOT_PROCESSED_STATUSES:
        return RETRY
    if status in OUTCOME_UNKNOWN_STATUSES:
        return RETRY if _safe(method, idempotent) else UNKNOWN_OUTCOME
    return GIVE_UP


def decide_unexpected(method, idempotent=None):
    """The decision for an answer that is not the API's (a 3xx, a 2xx that is not JSON): never resent blindly."""
    return GIVE_UP if _safe(method, idempotent) else UNKNOWN_OUTCOME


def decide_failure(method, kind, idempotent=None):
    """The decision for a request that got no HTTP answer (``kind`` is NOT_SENT or MAYBE_SENT)."""
    if kind == NOT_SENT or _safe(method, idempotent):
        return RETRY
    return UNKNOWN_OUTCOME


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class Backoff:
    """Exponential backoff with jitter: about 1 s, 2 s, 4 s ... capped; Retry-After wins when given."""

    def __init__(self, base=1.0, cap=30.0, rng=random.random):
        self.base = base
        self.cap = cap
        self.rng = rng

    def delay(self, retry_number, retry_after=None):
        """The pause before retry number ``retry_number`` (0 for the first retry)."""
        if retry_after is not None:
            # Honoured, but a server asking for an hour does not hold a task for an hour per attempt.
            return min(retry_after, MAX_RETRY_AFTER)
        ceiling = min(self.cap, self.base * (2**retry_number))
        # Half fixed, half random: never a burst of clients retrying in step, never a zero wait.
        return ceiling / 2 + self.rng() * ceiling / 2
