# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The short chaos run of `make test` (`make chaos-short`): the driver of tests/chaos/chaos.py with 60 task runs.

`make chaos` runs the long one (320 runs) and writes its figures into docs/reliability.md.
"""

from __future__ import annotations

import json

import chaos  # pylint: disable=import-error

SEED = 20261206
RUNS = 60
HOSTS = 4


def test_a_short_chaos_run_finds_no_problem(tmp_path):
    report = chaos.chaos(SEED, RUNS, hosts=HOSTS, slots_per_round=RUNS // HOSTS, work=str(tmp_path))
    print(chaos.markdown(report, "make chaos-short"))
    assert report["runs"] == RUNS
    assert report["problems"] == [], json.dumps(report["problems"], indent=1)
    # It mixed in what it claims: every task, every fault (each met by a request at least once, but for a persistent
    # one on a read the run may never make), every value of every reading.
    assert set(report["kinds"]) == set(chaos.KINDS)
    assert set(report["faults_injected"]) == set(chaos.TRANSIENT + chaos.PERSISTENT)
    assert set(report["requests_faulted"]) >= set(chaos.TRANSIENT)
    for key, values in chaos.READINGS.items():
        assert set(report["readings"][key]) == set(values), key
    # Both kinds of ending were judged.
    assert any(outcome.startswith("ok") for outcome in report["outcomes"]) and any(outcome.startswith("failed") for outcome in report["outcomes"])
