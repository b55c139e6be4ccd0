# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's reading switches the conformance suite runs under: each value of each switch on its own (the
others at their defaults), and all the non-default values at once."""

from __future__ import annotations

from fabric_emulator.readings import READINGS
from fabric_emulator.state import DELETE_MODES

# Every value the emulator offers for each reading, the stale-read counts off and on, and both delete modes.
SWITCH_VALUES = dict(READINGS, stale_reads=(0, 2), stale_reads_after_delete=(0, 2), delete_mode=DELETE_MODES)

ALL_OTHERS = {
    "list_items": "brief",
    "update_time_on": "complete",
    "write_body": "empty",
    "numbers": "string",
    "timestamps": "varied",
    "list_total": "missing",
    "stale_reads": 1,
    "stale_reads_after_delete": 1,
    "delete_mode": "deleted",
}

CASES = [{key: value} for key, values in SWITCH_VALUES.items() for value in values] + [ALL_OTHERS]


def case_id(switches):
    return "all-others" if switches is ALL_OTHERS else ",".join("%s=%s" % item for item in switches.items())


class Reading:
    """The emulator's effective configuration under one case, as the tests ask about it."""

    def __init__(self, switches, config):
        self.switches = switches
        self.config = config

    def __getattr__(self, key):
        try:
            return self.config[key]
        except KeyError:
            raise AttributeError(key) from None

    def __repr__(self):
        return "Reading(%s)" % case_id(self.switches)
