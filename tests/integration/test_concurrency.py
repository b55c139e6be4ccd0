# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Concurrent ansible-playbook runs: eight on instances of their own, two racing on the same one.

The runs on their own instances all succeed with exactly their own update. Of the two racing runs, each either
succeeds or fails fast and cleanly saying another writer won (the contract's wait rule), never by waiting out
wait_timeout; the emulator ends with the last writer's values, and no run reports a change it did not make.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from seed import BASE, MODULE, WS  # pylint: disable=import-error

SHARED_ID = "e2d8a6b4-5c3f-4e1a-9b7d-6f0a8c2e4b91"  # "Demo Chat Assistant": min 2, max 4
OWN = 8
WAIT_TIMEOUT = 300  # far beyond the test's own bound: a run that waited it out would be obvious


def own_id(number):
    return "cc000000-0000-4000-8000-{0:012d}".format(number)


def resource_max(instance):
    return instance["config"]["model_instance_config"]["resource"]["max"]


def test_eight_own_instances_and_two_writers_on_one(ansible, ctl, tmp_path):
    ctl.config(update_seconds=1.0)
    # The shared instance's PUTs are answered (and applied) only after a few seconds, so that the two writers, started
    # together, both read it RUNNING before either write lands: a real race, which the emulator settles by refusing
    # the later PUT (400: the instance is UPDATING). Should one writer start much later, it reads UPDATING and waits.
    ctl.fault(method="PUT", path=SHARED_ID, delay=6, times=2)
    ctl.add_instances(
        [
            {
                "id": own_id(number),
                "name": "concurrent-{0}".format(number),
                "workspace_id": WS,
                "description": "before",
                "config": {"model_instance_config": {"resource": {"min": 1, "max": 2}}},
            }
            for number in range(OWN)
        ]
    )
    jobs = {}
    for number in range(OWN):
        jobs["own-{0}".format(number)] = {
            "workspace_id": WS,
            "instance_id": own_id(number),
            "description": "run {0}".format(number),
            "resource": {"max": 3 + number},
            "wait_timeout": WAIT_TIMEOUT,
        }
    writers = {"writer-a": ("written by A", 5), "writer-b": ("written by B", 7)}
    for name, (description, maximum) in writers.items():
        jobs[name] = {
            "workspace_id": WS,
            "instance_id": SHARED_ID,
            "description": description,
            "resource": {"max": maximum},
            "wait_timeout": WAIT_TIMEOUT,
        }

    def launch(name):
        directory = tmp_path / name
        directory.mkdir()
        runner = type(ansible)(ansible.emulator_url, directory)  # one harness per run: no shared counters or files
        started = time.monotonic()
        run = runner.playbook([{"name": name, MODULE: jobs[name]}])
        return run, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(launch, name) for name in jobs}
        outcomes = {name: future.result() for name, future in futures.items()}
    log = sorted(ctl.requests(), key=lambda entry: entry["seq"])

    # Every run on its own instance: succeeded, with exactly its own PUT, and the instance shows it.
    for number in range(OWN):
        run, _elapsed = outcomes["own-{0}".format(number)]
        assert run.rc == 0, run
        assert run.last["changed"] is True
        assert run.last["instance"]["description"] == "run {0}".format(number)
        puts = [entry for entry in log if entry["method"] == "PUT" and entry["path"] == BASE + "/" + own_id(number)]
        assert [(entry["status"], entry["body"]) for entry in puts] == [
            (202, {"description": "run {0}".format(number), "config": {"model_instance_config": {"resource": {"min": 1, "max": 3 + number}}}})
        ], puts
        instance = ctl.instance(own_id(number))
        assert instance["description"] == "run {0}".format(number) and resource_max(instance) == 3 + number

    # The two writers on one instance.
    shared_puts = [entry for entry in log if entry["method"] == "PUT" and entry["path"] == BASE + "/" + SHARED_ID]
    accepted = [entry for entry in shared_puts if entry["status"] == 202]
    assert accepted, shared_puts
    assert all(entry["status"] in (202, 400) for entry in shared_puts), shared_puts
    succeeded = []
    for name, (description, maximum) in writers.items():
        run, elapsed = outcomes[name]
        assert "Traceback (most recent call last)" not in run.stdout + run.stderr
        # Never by waiting out wait_timeout: whatever happened, it was decided quickly.
        assert elapsed < WAIT_TIMEOUT / 5, (name, elapsed)
        mine = [entry for entry in accepted if entry["body"]["description"] == description]
        if run.rc == 0:
            succeeded.append(name)
            result = run.last
            # No run reports a change it did not make: its own PUT was accepted, and it says what it wrote.
            assert result["changed"] is True and len(mine) == 1, (name, shared_puts)
            assert result["instance"]["description"] == description and resource_max(result["instance"]) == maximum
        else:
            result = run.results[-1]["result"]
            assert run.results[-1]["outcome"] == "failed"
            assert "another writer" in result["msg"], (name, result["msg"])
            assert "timed out" not in result["msg"]
            assert "module_stderr" not in result
            assert not result.get("changed"), result
    assert succeeded, "at least one of the two writers succeeds"

    # The emulator ends with the last accepted writer's values (once its update has finished).
    last = accepted[-1]["body"]
    deadline = time.monotonic() + 10
    while ctl.instance(SHARED_ID)["status"] != "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.2)
    final = ctl.instance(SHARED_ID)
    assert final["status"] == "RUNNING"
    assert final["description"] == last["description"]
    assert resource_max(final) == last["config"]["model_instance_config"]["resource"]["max"]
    # And the last writer, if it reported success, reported these very values.
    for name in succeeded:
        if writers[name][0] == last["description"]:
            assert outcomes[name][0].last["instance"]["description"] == final["description"]
