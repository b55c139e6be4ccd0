# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabric_service_instance_info waiting for a fleet (wait, wait_timeout, instance_ids, expect), asserted on the
emulator's request log: how many List requests a poll costs, when details are read, what ends the wait.

The fleets live in their own workspace, so that the number of instances a List poll pages through is known.
Where a test needs updates in flight it either runs the fleet-wide pattern itself (a loop with ``wait: false``,
then the waiting ``_info`` task) or sends the PUTs straight to the API, which is faster for large fleets.
"""

from __future__ import annotations

import json
import math
import time
import urllib.request

from conftest import TOKEN  # pylint: disable=import-error
from seed import INFO, MODULE  # pylint: disable=import-error

WS = "ws-fleet"
BASE = "/v1/workspaces/{0}/services/instances".format(WS)
OLD_DESCRIPTION = "before the roll-out"
NEW_DESCRIPTION = "after the roll-out"
EXPECT = {"description": NEW_DESCRIPTION, "resource": {"max": 2}}
CHANGE = {"description": NEW_DESCRIPTION, "config": {"model_instance_config": {"resource": {"min": 1, "max": 2}}}}
# Seconds an update takes where a test needs it still in flight when the task starts: ansible-playbook takes 1-3 s to
# get there on a busy machine.
SLOW_UPDATE = 6
# Consecutive polls may not be closer than 0.5 s ("never more than twice a second"); the log stamps answers.
MIN_POLL_SPACING = 0.4


def make_fleet(ctl, count, prefix="fleet"):
    """``count`` RUNNING instances in WS, each with OLD_DESCRIPTION and max 1; their ids, in creation order."""
    ids = ["{0}-{1:04d}".format(prefix, index) for index in range(count)]
    ctl.add_instances([{"workspace_id": WS, "id": instance_id, "name": instance_id, "description": OLD_DESCRIPTION} for instance_id in ids])
    return ids


def put(emulator, instance_id, body=None):
    """One PUT straight to the API, as another tool (or an earlier loop) would send it."""
    request = urllib.request.Request(
        "{0}{1}/{2}".format(emulator.url, BASE, instance_id),
        data=json.dumps(body or CHANGE).encode("utf-8"),
        method="PUT",
        headers={"Content-Type": "application/json", "X-Auth-Token": TOKEN},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec - the loopback emulator
        assert response.status == 202


def wait_task(ids=None, **options):
    """The waiting _info task on WS (instance_ids when given), with EXPECT unless ``expect`` says otherwise."""
    args = dict({"workspace_id": WS, "wait": True, "wait_timeout": 60, "expect": EXPECT}, **options)
    if ids is not None:
        args["instance_ids"] = ids
    return {"name": "Wait for the fleet", INFO: args, "register": "fleet"}


def loop_task(ids):
    """The first half of the fleet-wide pattern: every update sent, none waited for."""
    return {
        "name": "Send every update",
        MODULE: {"workspace_id": WS, "instance_id": "{{ item }}", "description": NEW_DESCRIPTION, "resource": {"max": 2}, "wait": False},
        "loop": ids,
    }


def result_of(run, name="Wait for the fleet"):
    found = [entry for entry in run.results if entry["task"] == name]
    assert found, run
    return found[-1]["result"]


def listings(ctl):
    """The List requests of the run, in order."""
    return [entry for entry in sorted(ctl.requests(), key=lambda entry: entry["seq"]) if entry["method"] == "GET" and entry["path"] == BASE]


def shows(ctl):
    """The Show (GET by id) requests of the run: instance id -> how many."""
    counted = {}
    for entry in ctl.requests():
        if entry["method"] == "GET" and entry["path"].startswith(BASE + "/"):
            instance_id = entry["path"].rsplit("/", 1)[-1]
            counted[instance_id] = counted.get(instance_id, 0) + 1
    return counted


def polls_of(log):
    """The List requests grouped by poll: a poll starts at offset 0."""
    polls = []
    for entry in log:
        if entry["query"].get("offset") == ["0"]:
            polls.append([])
        polls[-1].append(entry)
    return polls


def shows_expect(instance):
    return (
        instance["status"] == "RUNNING"
        and instance["description"] == NEW_DESCRIPTION
        and instance["config"]["model_instance_config"]["resource"]["max"] == 2
    )


def put_all(emulator, ctl, ids):
    """A PUT of CHANGE to each instance, then an empty request log for the wait."""
    for instance_id in ids:
        put(emulator, instance_id)
    ctl.clear_log()


def wait_for_all(ansible, ids):
    """The waiting task over ``ids``: it must succeed, with every instance steady and showing EXPECT, in order."""
    run = ansible.playbook([wait_task(ids)])
    assert run.rc == 0, run
    result = result_of(run)
    assert [instance["id"] for instance in result["instances"]] == ids
    assert all(shows_expect(instance) for instance in result["instances"]), result["instances"][:3]
    return result


def test_waits_until_all_are_steady_and_show_expect_in_ceil_n_over_100_requests_per_poll(ansible, ctl, emulator):
    ids = make_fleet(ctl, 150)
    ctl.config(update_seconds=SLOW_UPDATE)
    put_all(emulator, ctl, ids)
    result = wait_for_all(ansible, ids)
    assert result["failed_instances"] == []
    log = listings(ctl)
    assert len(log) == len(ctl.requests()), "only List requests during the wait: {0}".format(ctl.requests()[:5])
    polls = polls_of(log)
    assert len(polls) >= 2, "the task did not wait: {0} poll(s)".format(len(polls))
    per_poll = math.ceil(len(ids) / 100.0)
    assert [len(poll) for poll in polls] == [per_poll] * len(polls)
    assert all(entry["query"]["limit"] == ["100"] and entry["status"] == 200 for entry in log)
    starts = [poll[0]["time"] for poll in polls]
    assert all(later - earlier >= MIN_POLL_SPACING for earlier, later in zip(starts, starts[1:])), starts
    waited = result["waited"]
    assert isinstance(waited["seconds"], float) and waited["seconds"] > 0
    assert waited["statuses"][0]["status"] == "150 of 150 pending" and waited["statuses"][0]["after_seconds"] < 1
    assert waited["statuses"][-1]["status"] == "all 150 steady"
    assert waited["statuses"][-1]["after_seconds"] <= waited["seconds"]


def test_a_fleet_already_as_expected_is_one_poll_without_a_pause(ansible, ctl):
    ids = make_fleet(ctl, 3)
    for instance_id in ids:
        ctl.patch(instance_id, CHANGE)
    ctl.clear_log()
    run = ansible.playbook([wait_task(ids)])
    assert run.rc == 0, run
    result = result_of(run)
    assert len(result["instances"]) == 3 and all(shows_expect(instance) for instance in result["instances"])
    assert [entry["path"] for entry in ctl.requests()] == [BASE]
    # Done on the first poll: no pause (a pause is at least a second), one status.
    assert result["waited"]["seconds"] < 1
    assert [entry["status"] for entry in result["waited"]["statuses"]] == ["all 3 steady"]


def test_stale_reads_after_the_puts_do_not_end_the_wait(ansible, ctl):
    """A read right after a PUT may show the instance as it was (RUNNING, old values): still pending."""
    ids = make_fleet(ctl, 3)
    ctl.config(stale_reads=2)
    run = ansible.playbook([loop_task(ids), wait_task(ids)])
    assert run.rc == 0, run
    assert result_of(run, "Send every update")["changed"] is True
    result = result_of(run)
    # A wait that trusted the stale reads would have ended on the first poll with the old description.
    assert all(shows_expect(instance) for instance in result["instances"]), result["instances"]
    polls = polls_of(listings(ctl))
    assert len(polls) >= 3, "two stale reads of each instance, then the truth: {0} polls".format(len(polls))
    assert result["waited"]["statuses"][0]["status"] == "3 of 3 pending"
    assert [entry["method"] for entry in ctl.writes()] == ["PUT"] * 3
    assert all(ctl.instance(instance_id)["_emulator"]["stale_reads_remaining"] == 0 for instance_id in ids)


def test_brief_list_items_read_each_detail_once_when_the_list_shows_it_steady(ansible, ctl, emulator):
    ids = make_fleet(ctl, 3)
    early, late = ids[0], ids[1:]
    ctl.config(list_items="brief", update_seconds=SLOW_UPDATE)
    ctl.patch(early, CHANGE)  # done before the wait starts
    put_all(emulator, ctl, late)
    # The brief items carry no config: every instance in the result is its detail, with the resource.
    wait_for_all(ansible, ids)
    assert shows(ctl) == {instance_id: 1 for instance_id in ids}, "one detail per instance, not one per poll"
    log = sorted(ctl.requests(), key=lambda entry: entry["seq"])
    polls = polls_of([entry for entry in log if entry["path"] == BASE])
    assert len(polls) >= 3, "the late updates must keep the task polling: {0} polls".format(len(polls))
    order = [entry["path"].rsplit("/", 1)[-1] if entry["path"] != BASE else "List" for entry in log]
    # The early instance's detail is read after the first List, the late ones' only once the List shows them steady.
    assert order[:2] == ["List", early], order
    assert order.index(late[0]) > order.index("List", 2), order


def test_an_unrelated_transitional_or_failed_instance_outside_instance_ids_neither_blocks_nor_fails(ansible, ctl, emulator):
    ids = make_fleet(ctl, 3)
    busy, broken = make_fleet(ctl, 2, prefix="other")
    ctl.patch(busy, {"status": "UPDATING"})  # someone else's update, never finishing during this test
    ctl.patch(broken, {"status": "FAILED", "error_code": "ModelArts.0001", "error_msg": "not ours"})
    put_all(emulator, ctl, ids)
    result = wait_for_all(ansible, ids)
    assert result["failed_instances"] == []
    assert not [warning for warning in result.get("warnings", []) if busy in warning or broken in warning], result
    # Without instance_ids the whole workspace is waited for: the same busy instance then holds the wait.
    whole = ansible.playbook([wait_task(wait_timeout=2, expect={})])
    assert whole.rc != 0, whole
    assert "{0} (UPDATING)".format(busy) in result_of(whole)["msg"], result_of(whole)


def test_timeout_names_each_straggler_and_its_status(ansible, ctl):
    stuck, stale, done = make_fleet(ctl, 3)
    missing = "fleet-missing"
    ctl.patch(stuck, {"status": "UPDATING"})
    ctl.patch(done, CHANGE)
    ctl.clear_log()
    started = time.monotonic()
    run = ansible.playbook([wait_task([stuck, stale, done, missing], wait_timeout=3)])
    assert run.rc != 0, run
    result = result_of(run)
    assert result["msg"] == (
        "timed out after 3s waiting for 3 instance(s) to be steady and show what is expected; still pending: "
        "{0} (UPDATING), {1} (RUNNING (expected values not shown yet)), {2} (not listed)".format(stuck, stale, missing)
    ), result["msg"]
    assert time.monotonic() - started >= 3
    polls = polls_of(listings(ctl))
    assert len(polls) >= 3 and all(len(poll) == 1 for poll in polls), [len(poll) for poll in polls]
    assert ctl.writes() == []


def test_a_failed_instance_is_listed_in_failed_and_warned_about(ansible, ctl):
    ids = make_fleet(ctl, 3)
    ctl.config(fail_next_update={"error_code": "ModelArts.0001", "error_msg": "no capacity"})
    run = ansible.playbook([loop_task(ids), wait_task(ids)])
    assert run.rc == 0, run
    result = result_of(run)
    assert result["failed_instances"] == [
        {"id": ids[0], "name": ids[0], "status": "FAILED", "error_code": "ModelArts.0001", "error_msg": "no capacity"}
    ]
    assert "instance {0} is FAILED: error_code=ModelArts.0001, error_msg=no capacity".format(ids[0]) in result["warnings"], result
    statuses = {instance["id"]: instance["status"] for instance in result["instances"]}
    assert statuses == {ids[0]: "FAILED", ids[1]: "RUNNING", ids[2]: "RUNNING"}
    assert all(shows_expect(instance) for instance in result["instances"][1:])


def test_a_failed_instance_keeps_its_error_when_list_items_are_brief(ansible, ctl, emulator):
    """Brief List items carry no error_code or error_msg: the failure is reported from the instance's detail."""
    ids = make_fleet(ctl, 2)
    ctl.config(list_items="brief", fail_next_update={"error_code": "ModelArts.0001", "error_msg": "no capacity"})
    put_all(emulator, ctl, ids)
    run = ansible.playbook([wait_task(ids)])
    assert run.rc == 0, run
    result = result_of(run)
    assert result["failed_instances"] == [
        {"id": ids[0], "name": ids[0], "status": "FAILED", "error_code": "ModelArts.0001", "error_msg": "no capacity"}
    ]
    assert "instance {0} is FAILED: error_code=ModelArts.0001, error_msg=no capacity".format(ids[0]) in result["warnings"], result


def test_check_mode_reads_once_and_never_waits(ansible, ctl):
    ids = make_fleet(ctl, 3)
    ctl.patch(ids[0], {"status": "UPDATING"})
    ctl.clear_log()
    run = ansible.playbook([wait_task(ids)], check=True)
    assert run.rc == 0, run
    result = result_of(run)
    assert [(instance["id"], instance["status"]) for instance in result["instances"]] == [
        (ids[0], "UPDATING"),
        (ids[1], "RUNNING"),
        (ids[2], "RUNNING"),
    ]
    assert "waited" not in result and result["changed"] is False
    assert [entry["path"] for entry in ctl.requests()] == [BASE]


def test_one_instance_id_with_wait_waits_for_it(ansible, ctl, emulator):
    (instance_id,) = make_fleet(ctl, 1)
    ctl.config(update_seconds=SLOW_UPDATE)
    put(emulator, instance_id)
    run = ansible.playbook([{"name": "Wait for the fleet", INFO: {"workspace_id": WS, "instance_id": instance_id, "wait": True, "expect": EXPECT}}])
    assert run.rc == 0, run
    result = result_of(run)
    assert len(result["instances"]) == 1 and shows_expect(result["instances"][0]), result
    assert result["waited"]["statuses"][-1]["status"] == "all 1 steady"
    reads = [entry["path"] for entry in ctl.requests() if entry["method"] == "GET"]
    assert len(reads) >= 2 and set(reads) == {BASE + "/" + instance_id}, "polls by Show until the update shows: {0}".format(reads)


def test_a_throttled_wait_retries_and_still_reads_every_page_once_per_poll(ansible, ctl, emulator):
    """Every second List request is answered 429: each costs one retry; a poll still reads each page once."""
    ids = make_fleet(ctl, 120)
    ctl.config(update_seconds=SLOW_UPDATE)
    put_all(emulator, ctl, ids)
    ctl.fault(method="GET", path="instances$", status=429, retry_after="0", every=2, times=1000)
    wait_for_all(ansible, ids)
    log = listings(ctl)
    answered = [entry for entry in log if entry["status"] == 200]
    assert [entry["status"] for entry in log] == [200, 429] * (len(log) // 2) + [200] * (len(log) % 2), log
    polls = polls_of(answered)
    assert len(polls) >= 2 and [len(poll) for poll in polls] == [2] * len(polls)
