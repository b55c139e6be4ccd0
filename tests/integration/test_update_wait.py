# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabric_service_instance: waiting around an update (stale reads, FAILED, another writer, timeouts, wait: false)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

from seed import BASE, DEMO_ID, MODULE, WS  # pylint: disable=import-error

SHOW = BASE + "/" + DEMO_ID


def resource_of(instance):
    return instance["config"]["model_instance_config"]["resource"]


def split_at_put(log):
    """(requests before the PUT, the PUT, requests after it); exactly one PUT and no other write."""
    writes = [index for index, entry in enumerate(log) if entry["method"] != "GET"]
    assert len(writes) == 1 and log[writes[0]]["method"] == "PUT", log
    index = writes[0]
    return log[:index], log[index], log[index + 1 :]


def only_shows(entries):
    return all(entry["method"] == "GET" and entry["path"] == SHOW for entry in entries)


def failure(run):
    assert run.rc != 0, run
    entry = run.results[-1]
    assert entry["outcome"] == "failed", run
    assert "Traceback (most recent call last)" not in run.stdout + run.stderr
    return entry["result"]


def test_stale_reads_do_not_end_the_wait(ansible, ctl):
    """Right after the PUT the API still shows the old values as RUNNING: the task waits until they show."""
    ctl.config(stale_reads=2, update_seconds=1)
    run = ansible.module(MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "fresh values", "resource": {"max": 3}})
    assert run.rc == 0, run
    result = run.last
    assert result["changed"] is True
    assert result["instance"]["status"] == "RUNNING"
    assert result["instance"]["description"] == "fresh values"
    assert resource_of(result["instance"])["max"] == 3
    instance = ctl.instance(DEMO_ID)
    assert instance["status"] == "RUNNING" and instance["description"] == "fresh values" and resource_of(instance)["max"] == 3
    assert instance["_emulator"]["stale_reads_remaining"] == 0  # both stale reads were consumed by polls
    before, put, after = split_at_put(ctl.requests())
    assert len(before) == 1 and only_shows(before)
    assert put["body"] == {"description": "fresh values", "config": {"model_instance_config": {"resource": {"min": 1, "max": 3}}}}
    # Two stale answers (old values, RUNNING), then at least one that shows the new values: the one the task ended on.
    assert only_shows(after) and len(after) >= 3, after


def test_update_ending_failed_reports_the_instance_error(ansible, ctl):
    ctl.config(fail_next_update={"error_code": "dataartsfabric.00049999", "error_msg": "GPU quota exhausted in the pool"})
    run = ansible.module(MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "doomed"})
    result = failure(run)
    msg = result["msg"]
    assert "FAILED" in msg and "dataartsfabric.00049999" in msg and "GPU quota exhausted in the pool" in msg, msg
    assert ctl.instance(DEMO_ID)["status"] == "FAILED"
    _before, put, after = split_at_put(ctl.requests())
    assert put["body"] == {"description": "doomed"}
    assert after and only_shows(after)


def test_another_writer_during_the_update_fails_fast(ansible, ctl):
    """While our update is UPDATING, someone else's change lands (RUNNING, their description, newer update_time)."""
    ctl.config(update_seconds=60)
    outcome = {}

    def play():
        outcome["run"] = ansible.module(MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "ours", "wait_timeout": 120})

    worker = threading.Thread(target=play)
    started = time.monotonic()
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while not any(entry["method"] == "PUT" for entry in ctl.requests()):
            assert time.monotonic() < deadline, "the task never sent its PUT"
            time.sleep(0.1)
        assert ctl.instance(DEMO_ID)["status"] == "UPDATING"
        time.sleep(0.05)  # a later millisecond than the PUT's update_time
        patched_at = time.time()
        ctl.patch(DEMO_ID, {"description": "theirs", "status": "RUNNING"})
    finally:
        worker.join(120)
    elapsed = time.monotonic() - started
    result = failure(outcome["run"])
    msg = result["msg"]
    assert "another writer" in msg and "theirs" in msg, msg
    assert elapsed < 30, elapsed  # well under wait_timeout (120 s), ansible start-up included
    _before, put, after = split_at_put(ctl.requests())
    assert put["body"] == {"description": "ours"}
    assert only_shows(after)
    assert after[-1]["time"] - patched_at < 5, after  # the first poll after the other write ended it (1 s polls)
    assert ctl.instance(DEMO_ID)["description"] == "theirs"


def test_wait_timeout_is_honoured(ansible, ctl):
    ctl.config(update_seconds=30)
    started = time.monotonic()
    run = ansible.module(MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "slow", "wait_timeout": 3})
    elapsed = time.monotonic() - started
    result = failure(run)
    msg = result["msg"]
    assert "timed out" in msg and "UPDATING" in msg, msg
    log = ctl.requests()
    assert log[-1]["time"] - log[0]["time"] < 5, log  # the module itself stopped at about 3 s
    assert elapsed < 15, elapsed  # ansible-playbook start-up included (about 2 s on an idle machine)
    _before, put, after = split_at_put(log)
    assert put["body"] == {"description": "slow"}
    assert after and only_shows(after)
    assert ctl.instance(DEMO_ID)["status"] == "UPDATING"


def _start_foreign_update(ctl, emulator, description):
    """Put the instance in UPDATING through the API itself, as another client would; the emulator finishes it."""
    token = ctl.call("GET", "config")["tokens"][0]
    request = urllib.request.Request(
        emulator.url + SHOW,
        data=json.dumps({"description": description}).encode("utf-8"),
        method="PUT",
        headers={"Content-Type": "application/json", "X-Auth-Token": token},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec - loopback test server
        assert response.status == 202
    assert ctl.instance(DEMO_ID)["status"] == "UPDATING"
    ctl.clear_log()


def test_instance_found_updating_is_waited_out_first(ansible, ctl, emulator):
    """The task finds the instance UPDATING (another client's update): it polls until it is steady, then updates.

    The foreign update is ended from here once the task has polled it at least once, so that the test does not
    depend on how long ansible-playbook takes to start.
    """
    ctl.config(update_seconds=60)
    _start_foreign_update(ctl, emulator, "someone else")
    outcome = {}

    def play():
        outcome["run"] = ansible.module(MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "after the wait"})

    worker = threading.Thread(target=play)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while len(ctl.requests()) < 2:  # the read and one poll, both seeing UPDATING
            assert time.monotonic() < deadline, "the task never polled"
            time.sleep(0.1)
        assert ctl.writes() == []
        ctl.config(update_seconds=1)
        steady_at = time.time()
        ctl.patch(DEMO_ID, {"status": "RUNNING", "description": "someone else"})  # the foreign update lands
    finally:
        worker.join(120)
    run = outcome["run"]
    assert run.rc == 0, run
    assert run.last["changed"] is True
    assert run.last["instance"]["description"] == "after the wait"
    assert run.last["instance"]["status"] == "RUNNING"
    before, put, after = split_at_put(ctl.requests())
    assert len(before) >= 2 and only_shows(before)  # the read, then polls while UPDATING
    assert put["time"] > steady_at  # the PUT went out only once the instance was steady again
    assert put["body"] == {"description": "after the wait"}
    assert after and only_shows(after)
    assert ctl.instance(DEMO_ID)["description"] == "after the wait"


def test_instance_found_updating_with_wait_false_fails_without_writing(ansible, ctl, emulator):
    ctl.config(update_seconds=30)
    _start_foreign_update(ctl, emulator, "someone else")
    run = ansible.module(MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "not now", "wait": False})
    result = failure(run)
    assert "UPDATING" in result["msg"] and "wait" in result["msg"], result["msg"]
    log = ctl.requests()
    assert len(log) == 1 and only_shows(log), log
    assert ctl.writes() == []


def test_wait_false_returns_right_after_the_put(ansible, ctl):
    ctl.config(update_seconds=30)
    before = ctl.instance(DEMO_ID)
    run = ansible.module(
        MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "description": "fire and forget", "resource": {"max": 5}, "wait": False}
    )
    assert run.rc == 0, run
    result = run.last
    assert result["changed"] is True
    predicted = result["instance"]
    assert predicted["description"] == "fire and forget"
    assert resource_of(predicted) == dict(resource_of(before), max=5)
    assert predicted["status"] == "RUNNING" and predicted["update_time"] == before["update_time"]  # as read, not re-read
    log = ctl.requests()
    assert [entry["method"] for entry in log] == ["GET", "PUT"], log
    assert log[1]["body"] == {"description": "fire and forget", "config": {"model_instance_config": {"resource": {"min": 1, "max": 5}}}}
    assert ctl.instance(DEMO_ID)["status"] == "UPDATING"
