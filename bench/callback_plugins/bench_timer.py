# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: the wall time at which the controller received each task (and loop item) result.

bench/run.py reads it to tell when a task returned (the wait-detection latency) and how many items or hosts failed.
The records are kept in memory and written once, as JSON lines, to $BENCH_TIMER_FILE when the playbook ends.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Records when each task result arrived, for bench/run.py
description:
  - Writes one JSON line per task, loop item and retry result to the file named by E(BENCH_TIMER_FILE).
requirements:
  - E(BENCH_TIMER_FILE) set
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = []

    def _record(self, kind, outcome, result):
        now = time.time()
        data = result._result  # pylint: disable=protected-access
        record = {
            "time": now,
            "kind": kind,
            "outcome": outcome,
            "task": result.task_name,
            "host": result._host.get_name(),
            "changed": bool(data.get("changed")),
        }  # pylint: disable=protected-access
        if outcome == "failed":
            record["msg"] = str(data.get("msg", ""))[:300]
        self.records.append(record)

    def v2_runner_on_ok(self, result):
        self._record("task", "ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("task", "failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("task", "skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._record("task", "unreachable", result)

    def v2_runner_item_on_ok(self, result):
        self._record("item", "ok", result)

    def v2_runner_item_on_failed(self, result):
        self._record("item", "failed", result)

    def v2_runner_item_on_skipped(self, result):
        self._record("item", "skipped", result)

    def v2_runner_retry(self, result):
        self._record("retry", "retry", result)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("BENCH_TIMER_FILE")
        if not path:
            return
        with open(path, "w", encoding="utf-8") as stream:
            for record in self.records:
                stream.write(json.dumps(record) + "\n")
