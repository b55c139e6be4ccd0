# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: writes every task result as a JSON line to $HWCLOUD_RESULT_FILE."""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: result_recorder
type: aggregate
short_description: Records task results for the integration tests
description:
  - Appends one JSON line per task result to the file named by E(HWCLOUD_RESULT_FILE).
requirements:
  - E(HWCLOUD_RESULT_FILE) set
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, outcome, result):
        path = os.environ.get("HWCLOUD_RESULT_FILE")
        if not path:
            return
        line = {"task": result.task_name, "host": result._host.get_name(), "outcome": outcome, "result": result._result}  # pylint: disable=protected-access
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(line, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)
