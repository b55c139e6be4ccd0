# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Polling until a condition holds, on a monotonic deadline, with the clock and sleep injected."""

from __future__ import annotations

import time

from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricApiError, FabricConnectionError, FabricWaitError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._retry import RETRIABLE_STATUSES

# Consecutive failed polls (each already retried by the client) tolerated before the error is raised.
POLL_ERROR_BUDGET = 3


def poll_interval(elapsed):
    """About once a second at first, backing off to 10 s on long waits; never under 0.5 s."""
    return max(0.5, min(10.0, max(1.0, elapsed / 10.0)))


class Pending:
    """A poll that did not reach the goal yet; ``status`` is what the last poll saw."""

    def __init__(self, status):
        self.status = status


class Waiter:
    """Calls ``probe`` until it returns something other than a Pending, or the deadline passes.

    ``probe`` returns the final value when done, ``Pending(status)`` to go on, and raises
    FabricWaitError to stop at once (FAILED, another writer). Transient API and connection
    errors are tolerated up to POLL_ERROR_BUDGET consecutive polls; others are raised at once.
    """

    def __init__(self, clock=time.monotonic, sleep=time.sleep, interval=poll_interval, error_budget=POLL_ERROR_BUDGET):
        self.clock = clock
        self.sleep = sleep
        self.interval = interval
        self.error_budget = error_budget

    def wait(self, probe, timeout, what, deadline=None):
        """Poll until done; ``deadline`` (a clock instant) bounds the wait when it comes before ``timeout`` does."""
        start = self.clock()
        deadline = start + timeout if deadline is None else min(deadline, start + timeout)
        last_status = None
        failures = 0
        while True:
            try:
                outcome = probe()
                failures = 0
            except (FabricApiError, FabricConnectionError) as err:
                if not _transient(err) or failures >= self.error_budget:
                    raise
                failures += 1
                outcome = Pending(last_status)
            if not isinstance(outcome, Pending):
                return outcome
            last_status = outcome.status
            now = self.clock()
            if now >= deadline:
                raise FabricWaitError(
                    "timed out after {0}s waiting for {1}; last status seen: {2}".format(timeout, what, last_status or "(none: every poll failed)")
                )
            self.sleep(min(self.interval(now - start), deadline - now))


def _transient(err):
    return isinstance(err, FabricConnectionError) or err.status in RETRIABLE_STATUSES
