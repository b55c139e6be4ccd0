# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request counts per scenario, from the emulator's log: the regression guard of the benchmark (bench/run.py).

Not a timing: each test asserts how many Fabric API requests (``/v1/...``) a run sends and in what order.
Converged by id is exactly one GET, converged by name exactly one List page; a change is the first GET, one PUT,
then polls of the instance and nothing else; check mode never writes. The only clock-related assertion is a lower
bound that load cannot break: polls are never closer than the contract's "at most twice a second" allows.
"""

from __future__ import annotations

from seed import BASE, DEMO_ID, MODULE, WS  # pylint: disable=import-error

SHOW = BASE + "/" + DEMO_ID
CONVERGED = {"description": "demo instance", "resource": {"max": 2}}
# Consecutive polls may not be closer than 0.5 s; the log stamps each answer, so allow for the handling time.
MIN_POLL_SPACING = 0.4


def described(log):
    return ["{0} {1}".format(entry["method"], entry["path"]) for entry in log]


def fabric_requests(ctl):
    """The Fabric API requests of the run, in the order the emulator received them."""
    return sorted(ctl.requests(), key=lambda entry: entry["seq"])


def ok(run, changed):
    assert run.rc == 0, run
    assert run.last["changed"] is changed, run
    return run.last


def test_converged_by_id_is_one_get(ansible, ctl):
    run = ansible.module(MODULE, dict(CONVERGED, workspace_id=WS, instance_id=DEMO_ID))
    ok(run, changed=False)
    assert described(fabric_requests(ctl)) == ["GET " + SHOW]


def test_converged_by_name_is_one_list_page(ansible, ctl):
    run = ansible.module(MODULE, dict(CONVERGED, workspace_id=WS, name="demo-llm"))
    ok(run, changed=False)
    log = fabric_requests(ctl)
    assert described(log) == ["GET " + BASE], described(log)
    assert log[0]["query"].get("name") == ["demo-llm"], log[0]


def test_converged_in_check_mode_is_one_get(ansible, ctl):
    run = ansible.module(MODULE, dict(CONVERGED, workspace_id=WS, instance_id=DEMO_ID), check=True)
    ok(run, changed=False)
    assert described(fabric_requests(ctl)) == ["GET " + SHOW]


def test_change_in_check_mode_is_one_get_and_no_write(ansible, ctl):
    run = ansible.module(MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "bench toggle"}, check=True)
    ok(run, changed=True)
    assert described(fabric_requests(ctl)) == ["GET " + SHOW]


def test_change_is_one_get_one_put_then_polls(ansible, ctl):
    run = ansible.module(MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "bench toggle", "resource": {"max": 3}})
    result = ok(run, changed=True)
    assert result["instance"]["status"] == "RUNNING" and result["instance"]["description"] == "bench toggle"
    log = fabric_requests(ctl)
    names = described(log)
    # Nothing before the PUT but the first read; exactly one write; after it only polls of the instance.
    assert names[:2] == ["GET " + SHOW, "PUT " + SHOW], names
    polls = log[2:]
    assert polls, "no poll after the PUT: the task returned before the update showed"
    assert all(name == "GET " + SHOW for name in names[2:]), names
    assert log[1]["body"] == {"description": "bench toggle", "config": {"model_instance_config": {"resource": {"min": 1, "max": 3}}}}
    assert all(entry["status"] == 200 for entry in polls), polls
    gaps = [later["time"] - earlier["time"] for earlier, later in zip(polls, polls[1:])]
    assert all(gap >= MIN_POLL_SPACING for gap in gaps), "polls closer than the contract allows: {0}".format(gaps)


def test_converged_after_a_429_is_one_retried_get(ansible, ctl):
    ctl.fault(method="GET", status=429, retry_after="0", times=1)
    run = ansible.module(MODULE, dict(CONVERGED, workspace_id=WS, instance_id=DEMO_ID))
    ok(run, changed=False)
    log = fabric_requests(ctl)
    assert described(log) == ["GET " + SHOW, "GET " + SHOW]
    assert [entry["status"] for entry in log] == [429, 200]


def test_change_throttled_every_other_read_costs_one_request_per_429(ansible, ctl):
    """Every 2nd GET is answered 429 (the benchmark's throttling rule): each costs one retry, the PUT is sent once."""
    ctl.fault(method="GET", status=429, retry_after="0", every=2, times=1000)
    run = ansible.module(MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "bench toggle"})
    ok(run, changed=True)
    log = fabric_requests(ctl)
    names = described(log)
    assert names[:2] == ["GET " + SHOW, "PUT " + SHOW] and log[1]["status"] == 202, names
    reads = [entry["status"] for entry in log if entry["method"] == "GET"]
    # GETs 2, 4, 6 ... are throttled; each is followed by its retry, and the task ends on an answered poll.
    assert reads == [200 if index % 2 == 0 else 429 for index in range(len(reads))], reads
    assert len(reads) >= 3 and reads[-1] == 200, reads


def test_change_by_name_reads_one_list_page_then_polls_by_id(ansible, ctl):
    run = ansible.module(MODULE, {"workspace_id": WS, "name": "demo-llm", "description": "bench toggle"})
    ok(run, changed=True)
    names = described(fabric_requests(ctl))
    assert names[:2] == ["GET " + BASE, "PUT " + SHOW], names
    assert len(names) >= 3 and all(name == "GET " + SHOW for name in names[2:]), names
