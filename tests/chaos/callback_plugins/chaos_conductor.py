# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback of the chaos run: sets up the emulator for each task as it starts; records every result (as the
integration tests' result_recorder does, into the same file)."""

from __future__ import annotations

import json
import os
import sys
import time

INTEGRATION = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "integration")
for _path in (INTEGRATION, os.path.join(INTEGRATION, "callback_plugins")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from conftest import Control  # noqa: E402  pylint: disable=wrong-import-position,import-error
from result_recorder import CallbackModule as ResultRecorder  # noqa: E402  pylint: disable=wrong-import-position,import-error

DOCUMENTATION = r"""
name: chaos_conductor
type: aggregate
short_description: Sets the emulator's readings and faults per task, and records the results (chaos run)
description:
  - When a task starts, waits until the emulator has logged every request sent so far, notes the last request's
    sequence number, then sets that task's readings and fault rules from the plan in E(CHAOS_PLAN) through the
    control API at E(CHAOS_CONTROL_URL).
  - Appends one JSON line per task start (C(mark)) and per host result to E(HWCLOUD_RESULT_FILE).
requirements:
  - E(CHAOS_PLAN), E(CHAOS_CONTROL_URL) and E(HWCLOUD_RESULT_FILE) set
"""

# A slow answer the client gave up on is logged when the emulator finally sends it: wait for it this long at most.
QUIET_SECONDS = 10


class CallbackModule(ResultRecorder):
    CALLBACK_NAME = "chaos_conductor"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        url = os.environ.get("CHAOS_CONTROL_URL")
        self.control = Control(url) if url else None
        self.plan = {}
        if os.environ.get("CHAOS_PLAN"):
            with open(os.environ["CHAOS_PLAN"], encoding="utf-8") as stream:
                self.plan = json.load(stream)

    def _mark(self, name, labels):
        with open(os.environ["HWCLOUD_RESULT_FILE"], "a", encoding="utf-8") as stream:
            stream.write(json.dumps({"mark": name, "seq": self._last_seq(), "time": time.time(), "rules": labels}) + "\n")

    def _last_seq(self):
        """The sequence number of the last request, once every request before it is logged (none still in flight)."""
        deadline = time.monotonic() + QUIET_SECONDS
        while True:
            seqs = sorted(entry["seq"] for entry in self.control.call("GET", "requests")["requests"])
            if seqs == list(range(1, len(seqs) + 1)) or time.monotonic() > deadline:
                return seqs[-1] if seqs else 0
            time.sleep(0.1)

    def v2_playbook_on_task_start(self, task, is_conditional):
        slot = self.plan.get(task.get_name())
        if self.control is None or slot is None:
            return
        self.control.call("DELETE", "faults")
        self.control.call("PUT", "config", slot["config"])
        rules = self.control.call("POST", "faults", {"faults": [rule for rule, _label in slot["faults"]]})["faults"] if slot["faults"] else []
        # The emulator's rule id (what its log names) -> the plan's label for that rule (which run, which kind).
        self._mark(task.get_name(), {str(rule["id"]): label for rule, (_spec, label) in zip(rules, slot["faults"])})

    def v2_playbook_on_stats(self, stats):
        if self.control is not None:
            self._mark("end", {})
