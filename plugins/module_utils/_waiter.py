# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Polling until a condition holds, on a monotonic deadline, with the clock and sleep injected."""

from __future__ import annotations

import time

from ansible_collections.hwcloud.dataarts.plugins.module_utils._conditions import Done, Pending
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricApiError, FabricConnectionError, FabricTimeoutError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._retry import RETRIABLE_STATUSES

# Consecutive failed polls (each already retried by the client) tolerated before the error is raised.
POLL_ERROR_BUDGET = 3
# The statuses a result's ``waited`` lists at the most (the latest ones): a long wait stays readable.
WAITED_STATUSES_KEPT = 20
FIRST_INTERVAL = 1.0
LONGEST_INTERVAL = 10.0


def poll_interval(elapsed):
    """About once a second at first (a 3 s change is seen within a second), backing off to 10 s on long waits."""
    return min(LONGEST_INTERVAL, max(FIRST_INTERVAL, elapsed / 10.0))


class Waiter:
    """Calls ``probe`` until it returns something other than a Pending, or the deadline passes.

    ``probe`` returns ``Done(value)`` (or any other final value) when done, ``Pending(status)`` to go on,
    and raises FabricWaitError to stop at once (FAILED, another writer). Transient API and connection
    errors are tolerated up to POLL_ERROR_BUDGET consecutive polls; others are raised at once.
    Every wait of one Waiter adds to ``waited()``: the seconds spent and the statuses seen, with their times.
    """

    def __init__(self, clock=time.monotonic, sleep=time.sleep, interval=poll_interval, error_budget=POLL_ERROR_BUDGET):
        self.clock = clock
        self.sleep = sleep
        self.interval = interval
        self.error_budget = error_budget
        self.seconds = 0.0
        self.statuses = []
        self._origin = None

    def waited(self):
        """What a result's ``waited`` shows, or None when nothing was waited for."""
        if self._origin is None:
            return None
        return {"seconds": round(self.seconds, 1), "statuses": list(self.statuses)}

    def _saw(self, status, now):
        """Record a status when it differs from the last one recorded (a status change is what explains a wait)."""
        if status is None or (self.statuses and self.statuses[-1]["status"] == status):
            return
        self.statuses.append({"status": status, "after_seconds": round(now - self._origin, 1)})
        del self.statuses[:-WAITED_STATUSES_KEPT]

    def wait(self, probe, timeout, what, deadline=None):
        """Poll until done; ``deadline`` (a clock instant) bounds the wait when it comes before ``timeout`` does."""
        start = self.clock()
        if self._origin is None:
            self._origin = start
        deadline = start + timeout if deadline is None else min(deadline, start + timeout)
        last_status = None
        failures = 0
        try:
            while True:
                try:
                    outcome = probe()
                    failures = 0
                except (FabricApiError, FabricConnectionError) as err:
                    if not _transient(err) or failures >= self.error_budget:
                        raise
                    failures += 1
                    outcome = Pending(last_status)
                if isinstance(outcome, Done):
                    self._saw(outcome.status, self.clock())
                    return outcome.value
                if not isinstance(outcome, Pending):
                    return outcome
                last_status = outcome.status
                now = self.clock()
                self._saw(last_status, now)
                if now >= deadline:
                    raise FabricTimeoutError(
                        "timed out after {0}s waiting for {1}; last status seen: {2}".format(
                            timeout, what, last_status or "(none: every poll failed)"
                        )
                    )
                self.sleep(min(self.interval(now - start), deadline - now))
        finally:
            self.seconds += self.clock() - start


def _transient(err):
    return isinstance(err, FabricConnectionError) or err.status in RETRIABLE_STATUSES
