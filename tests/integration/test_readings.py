# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules under every reading the documentation and the SDKs leave open (issue 11), one switch at a time.

Each reading is tested in each of its modes with the cases it changes, not by re-running whole suites: List items
full or brief (the SDK's ServiceInstanceBriefInfo), update_time moving on accept or on complete, a write answered with
JSON or nothing, numbers as integers or numeric strings, three timestamp forms, List's total exact, missing, a string
or wrong, stale reads after an update or a delete, and a list that changes between its pages. Every case asserts the
task's result, the emulator's request log and its state.
"""

from __future__ import annotations

import os

import pytest
from conftest import ROOT  # pylint: disable=import-error
from seed import BASE, CANARY_ID, CHAT_ID, DEMO_ID, INFO, MODULE, WS  # pylint: disable=import-error
from test_faults import applied_writes, clean_failure, log_of, updates_started  # pylint: disable=import-error

READ_INSTANCES = os.path.join(ROOT, "examples", "read_instances.yml")
SOURCE_ID = "5f1c0d2e9a8b4c7d8e6f0a1b2c3d4e5f"  # the emulator's defaults for an instance added without them
ENDPOINT_ID = "0b5633ba2b904511ad514346f4d23d4b"
SPEC_CODE = "mu.llama3.8b"
PAGE_SIZE = 100


def show(instance_id):
    return BASE + "/" + instance_id


def case_id(group, number):
    """A valid instance id of its own per case: faults target its path, the log is split by it."""
    return "{0:08x}-0000-4000-8000-{1:012d}".format(group, number)


def resource(min_, max_):
    return {"config": {"model_instance_config": {"resource": {"min": min_, "max": max_}}}}


def resource_of(instance):
    return instance["config"]["model_instance_config"]["resource"]


def by_task(run):
    results = {entry["task"]: entry for entry in run.results}
    assert "Traceback (most recent call last)" not in run.stdout + run.stderr, run
    return results


def ok(entry, changed):
    assert entry["outcome"] == "ok", entry
    assert entry["result"]["changed"] is changed, entry
    return entry["result"]


def of_instance(log, instance_id):
    return [entry for entry in log if entry["path"] == show(instance_id)]


def lists_named(log, name):
    return [entry for entry in log if entry["path"] == BASE and entry["query"].get("name") == [name]]


def described(entries):
    return ["{0} {1}".format(entry["method"], "List" if entry["path"] == BASE else entry["path"].rsplit("/", 1)[-1]) for entry in entries]


def offsets(entries):
    return [int(entry["query"]["offset"][0]) for entry in entries]


def ignoring_errors(tasks):
    return [dict(task, ignore_errors=True) for task in tasks]


# ------------------------------------------------------------------------------------------------ list_items
DESCRIBED_ID = case_id(0x11, 1)


@pytest.mark.parametrize("list_items", ["full", "brief"])
def test_by_name_reads_the_detail_only_when_a_list_item_lacks_a_compared_field(ansible, ctl, list_items):
    """A converged run by name is 1 request with full List items, 2 with brief ones (List, then the detail); by id it
    is 1 in both. A new max by name works under both (brief items carry no config: the detail gives the min)."""
    ctl.config(list_items=list_items, update_seconds=0)
    ctl.add_instances([{"id": DESCRIBED_ID, "name": "described-only", "workspace_id": WS, "description": "as declared"}])
    run = ansible.playbook(
        [
            {"name": "converged by name", MODULE: {"workspace_id": WS, "name": "demo-llm", "description": "demo instance", "resource": {"max": 2}}},
            {
                "name": "converged by id",
                MODULE: {"workspace_id": WS, "instance_id": CHAT_ID, "description": "name with spaces", "resource": {"max": 4}},
            },
            {"name": "converged by name, description only", MODULE: {"workspace_id": WS, "name": "described-only", "description": "as declared"}},
            {"name": "new max by name", MODULE: {"workspace_id": WS, "name": "demo-llm-canary", "resource": {"max": 2}}},
        ]
    )
    assert run.rc == 0, run
    results = by_task(run)
    log = log_of(ctl)
    brief = list_items == "brief"

    ok(results["converged by name"], changed=False)
    converged_by_name = lists_named(log, "demo-llm") + of_instance(log, DEMO_ID)
    assert described(converged_by_name) == ["GET List"] + (["GET " + DEMO_ID] if brief else []), converged_by_name

    ok(results["converged by id"], changed=False)
    assert described(of_instance(log, CHAT_ID)) == ["GET " + CHAT_ID]

    # description is one of the brief fields: no detail needed under either reading.
    ok(results["converged by name, description only"], changed=False)
    assert described(lists_named(log, "described-only") + of_instance(log, DESCRIBED_ID)) == ["GET List"]

    updated = ok(results["new max by name"], changed=True)
    assert resource_of(updated["instance"])["max"] == 2 and updated["instance"]["status"] == "RUNNING"
    mine = lists_named(log, "demo-llm-canary") + of_instance(log, CANARY_ID)
    expected_start = ["GET List"] + (["GET " + CANARY_ID] if brief else []) + ["PUT " + CANARY_ID]
    assert described(mine)[: len(expected_start)] == expected_start, mine
    assert [entry["body"] for entry in applied_writes(mine)] == [resource(1, 2)]
    assert resource_of(ctl.instance(CANARY_ID))["max"] == 2
    assert len(ctl.writes()) == 1


INFO_QUERIES = [
    ("the workspace", {"workspace_id": WS}),
    ("by name", {"workspace_id": WS, "name": "demo-llm"}),
    ("by filters", {"workspace_id": WS, "filters": {"endpoint_id": ENDPOINT_ID, "visibility": "PRIVATE"}}),
    ("by id", {"workspace_id": WS, "instance_id": CHAT_ID}),
]


def test_info_returns_the_same_instances_under_full_and_brief_list_items(ansible, ctl):
    """Brief List items are completed from the details: the same result, key for key, at one Show per listed item."""
    # A FAILED instance: error_code and error_msg are among the fields brief items leave out.
    ctl.patch(CANARY_ID, {"status": "FAILED", "error_code": "dataartsfabric.00040002", "error_msg": "quota"})
    tasks = [{"name": name, INFO: args} for name, args in INFO_QUERIES]
    results, logs = {}, {}
    for list_items in ("full", "brief"):
        ctl.config(list_items=list_items)
        ctl.clear_log()
        run = ansible.playbook(tasks)
        assert run.rc == 0, run
        results[list_items] = {name: entry["result"]["instances"] for name, entry in by_task(run).items()}
        logs[list_items] = log_of(ctl)
    assert results["brief"] == results["full"]
    assert [len(results["full"][name]) for name, _args in INFO_QUERIES] == [3, 1, 2, 1]
    canary = next(item for item in results["full"]["the workspace"] if item["id"] == CANARY_ID)
    assert canary["error_code"] == "dataartsfabric.00040002" and resource_of(canary) == {"min": 1, "max": 1, "spec_code": SPEC_CODE}
    shows = {mode: [entry for entry in log if entry["path"] != BASE] for mode, log in logs.items()}
    # Full items: one List per query and the one Show by id; brief: each listed instance's detail besides.
    assert len([entry for entry in logs["full"] if entry["path"] == BASE]) == 3 and described(shows["full"]) == ["GET " + CHAT_ID]
    assert len([entry for entry in logs["brief"] if entry["path"] == BASE]) == 3 and len(shows["brief"]) == 3 + 1 + 2 + 1
    assert ctl.writes() == []


@pytest.mark.parametrize("list_items", ["full", "brief"])
def test_read_instances_example_under_both_list_item_readings(ansible, ctl, list_items):
    ctl.config(list_items=list_items)
    run = ansible.playbook(READ_INSTANCES)
    assert run.rc == 0, run
    results = by_task(run)
    facts = results["Summarise the workspace"]["result"]["ansible_facts"]
    assert facts["instance_id"] == DEMO_ID
    assert int(facts["instance_count"]) == 3 and int(facts["max_replicas"]) == 2 + 1 + 4
    assert facts["on_endpoint_names"] == ["demo-llm", "demo-llm-canary"]
    doubled = ok(results["Show what doubling its maximum would change, by the id just read (check mode, nothing is written)"], changed=True)
    assert doubled["diff"]["after"]["config"]["model_instance_config"]["resource"]["max"] == 4
    assert ctl.writes() == []


# ------------------------------------------------------------------ update_time_on x stale reads, lost answers
LOST_ANSWERS = [
    # (case, the fault on the instance's PUT)
    ("PUT dropped after it took effect", {"method": "PUT", "drop": True, "apply": True}),
    ("PUT answered by a gateway page after it took effect", {"method": "PUT", "html": True, "status": 502, "apply": True}),
]


@pytest.mark.parametrize("stale_reads", [0, 2])
@pytest.mark.parametrize("update_time_on", ["accept", "complete"])
def test_a_lost_answer_to_an_update_is_applied_once_whenever_update_time_moves(ansible, ctl, update_time_on, stale_reads):
    """The read-back of a PUT whose answer was lost may show UPDATING with the old update_time (``complete``), or,
    with stale reads, the instance exactly as before: then the PUT is resent, refused (the instance is UPDATING),
    and the task waits and judges by the values the instance ends up showing. Never 'another writer'."""
    # Long enough that a resend always meets the first update still UPDATING.
    ctl.config(update_time_on=update_time_on, stale_reads=stale_reads, update_seconds=2.5)
    ctl.add_instances(
        [
            dict(
                {"id": case_id(0x21, number), "name": "lost-answer-{0}".format(number), "workspace_id": WS, "description": "before"}, **resource(2, 3)
            )
            for number in range(len(LOST_ANSWERS))
        ]
    )
    tasks = []
    for number, (case, rule) in enumerate(LOST_ANSWERS):
        ctl.fault(path=show(case_id(0x21, number)) + "$", **rule)
        tasks.append(
            {"name": case, MODULE: {"workspace_id": WS, "instance_id": case_id(0x21, number), "description": "after", "resource": {"max": 5}}}
        )
    run = ansible.playbook(ignoring_errors(tasks))
    results = by_task(run)
    log = log_of(ctl)
    for number, (case, _rule) in enumerate(LOST_ANSWERS):
        instance_id = case_id(0x21, number)
        result = ok(results[case], changed=True)
        assert result["instance"]["description"] == "after" and result["instance"]["status"] == "RUNNING", (case, result)
        mine = of_instance(log, instance_id)
        puts = [entry for entry in mine if entry["method"] == "PUT"]
        # A stale read-back (RUNNING, old values) is read again before anything is resent: the PUT is never resent.
        assert len(puts) == 1, (case, stale_reads, mine)
        assert len(applied_writes(mine)) == 1, (case, mine)
        assert len(updates_started(ctl, instance_id)) == 1, case
        instance = ctl.instance(instance_id)
        assert instance["description"] == "after" and resource_of(instance)["max"] == 5, case
        assert "another writer" not in str(result), case


# ------------------------------------------------------------------------------------------------ write_body
@pytest.mark.parametrize("write_body", ["json", "empty"])
def test_a_write_answered_with_or_without_a_body_is_accepted(ansible, ctl, write_body):
    """Update's and Delete's 2xx carry {"id"} or nothing at all (the SDK's DELETE response model is empty)."""
    ctl.config(write_body=write_body, update_seconds=0, delete_seconds=0)
    run = ansible.playbook(
        [
            {"name": "update by id", MODULE: {"workspace_id": WS, "instance_id": DEMO_ID, "description": "written", "resource": {"max": 3}}},
            {"name": "update by name", MODULE: {"workspace_id": WS, "name": "demo-llm-canary", "description": "written too"}},
            {"name": "delete by id", MODULE: {"workspace_id": WS, "instance_id": CHAT_ID, "state": "absent"}},
        ]
    )
    assert run.rc == 0, run
    results = by_task(run)
    updated = ok(results["update by id"], changed=True)
    assert updated["instance"]["description"] == "written" and resource_of(updated["instance"])["max"] == 3
    assert ok(results["update by name"], changed=True)["instance"]["description"] == "written too"
    ok(results["delete by id"], changed=True)
    assert [(entry["method"], entry["status"]) for entry in ctl.writes()] == [("PUT", 202), ("PUT", 202), ("DELETE", 202)]
    assert ctl.instance(DEMO_ID)["description"] == "written" and ctl.instance(CANARY_ID)["description"] == "written too"
    assert CHAT_ID not in [item["id"] for item in ctl.instances()]


# --------------------------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("numbers", ["int", "string"])
def test_numbers_compare_as_numbers_whether_integers_or_numeric_strings(ansible, ctl, numbers):
    ctl.config(numbers=numbers, update_seconds=0)
    run = ansible.playbook(
        [
            {"name": "converged by id", MODULE: {"workspace_id": WS, "instance_id": CHAT_ID, "resource": {"max": 4}}},
            {"name": "converged by name", MODULE: {"workspace_id": WS, "name": "demo-llm", "resource": {"max": 2}}},
            {"name": "new max", MODULE: {"workspace_id": WS, "instance_id": CANARY_ID, "resource": {"max": 3}}},
            {"name": "converged after it", MODULE: {"workspace_id": WS, "instance_id": CANARY_ID, "resource": {"max": 3}}},
        ]
    )
    assert run.rc == 0, run
    results = by_task(run)
    ok(results["converged by id"], changed=False)
    ok(results["converged by name"], changed=False)
    updated = ok(results["new max"], changed=True)
    assert str(resource_of(updated["instance"])["max"]) == "3"
    ok(results["converged after it"], changed=False)
    # One write: the new max with the current min, as JSON integers whatever the answers showed.
    writes = ctl.writes()
    assert [(entry["method"], entry["path"], entry["body"]) for entry in writes] == [("PUT", show(CANARY_ID), resource(1, 3))]
    assert resource_of(ctl.instance(CANARY_ID))["max"] == 3


# ------------------------------------------------------------------- timestamps, FAILED instances, stale deletes
FAILED_CASES = [
    # (timestamps, update_time_on, stale_reads, stale_reads_after_delete)
    ("millis_z", "accept", 0, 0),
    ("offset", "complete", 1, 2),
    ("varied", "accept", 1, 2),
    ("varied", "complete", 0, 0),
]
STAYS_FAILED_ID = case_id(0x31, 1)
RECOVERS_ID = case_id(0x31, 2)
DELETED_FAILED_ID = case_id(0x31, 3)


@pytest.mark.parametrize("timestamps,update_time_on,stale_reads,stale_reads_after_delete", FAILED_CASES)
def test_failed_instances_under_every_timestamp_form(ansible, ctl, timestamps, update_time_on, stale_reads, stale_reads_after_delete):
    """An update of a FAILED instance that stays FAILED fails at once with the new error, never with the old one a stale
    read still shows (it needs update_time read in every ISO 8601 form: a newer FAILED is the update's own failure);
    one that recovers succeeds; deleting a FAILED instance succeeds even while the first polls still show it FAILED
    (stale reads after the delete)."""
    ctl.config(
        timestamps=timestamps,
        update_time_on=update_time_on,
        stale_reads=stale_reads,
        stale_reads_after_delete=stale_reads_after_delete,
        update_seconds=0.5,
        delete_seconds=0.5,
        fail_next_update={"error_code": "dataartsfabric.00049999", "error_msg": "still no GPU"},
    )
    failed = {"workspace_id": WS, "status": "FAILED", "error_code": "dataartsfabric.00040001", "error_msg": "no GPU"}
    ctl.add_instances(
        [
            dict(failed, id=STAYS_FAILED_ID, name="stays-failed", description="before"),
            dict(failed, id=RECOVERS_ID, name="recovers", description="before"),
            dict(failed, id=DELETED_FAILED_ID, name="failed-then-deleted"),
        ]
    )
    # The fault-free update that fails comes first: it takes the one-shot fail_next_update.
    tasks = [
        {
            "name": "update that stays FAILED",
            MODULE: {"workspace_id": WS, "instance_id": STAYS_FAILED_ID, "description": "after", "wait_timeout": 60},
        },
        {"name": "update that recovers", MODULE: {"workspace_id": WS, "instance_id": RECOVERS_ID, "description": "after", "wait_timeout": 60}},
        {"name": "delete a FAILED instance", MODULE: {"workspace_id": WS, "name": "failed-then-deleted", "state": "absent", "wait_timeout": 60}},
        {"name": "info by name", INFO: {"workspace_id": WS, "name": "stays-failed"}},
    ]
    run = ansible.playbook(ignoring_errors(tasks))
    results = by_task(run)
    log = log_of(ctl)

    stays = clean_failure(run, results["update that stays FAILED"]["result"], results["update that stays FAILED"]["outcome"])
    assert "FAILED" in stays["msg"] and "dataartsfabric.00049999" in stays["msg"] and "still no GPU" in stays["msg"], stays["msg"]
    assert "timed out" not in stays["msg"], stays["msg"]
    assert stays["instance"]["status"] == "FAILED"
    assert [entry["method"] for entry in of_instance(log, STAYS_FAILED_ID)].count("PUT") == 1
    assert ctl.instance(STAYS_FAILED_ID)["status"] == "FAILED" and ctl.instance(STAYS_FAILED_ID)["description"] == "before"

    recovered = ok(results["update that recovers"], changed=True)
    assert recovered["instance"]["status"] == "RUNNING" and recovered["instance"]["description"] == "after"

    ok(results["delete a FAILED instance"], changed=True)
    deletes = [entry for entry in of_instance(log, DELETED_FAILED_ID) if entry["method"] == "DELETE"]
    assert [entry["status"] for entry in deletes] == [202]
    assert DELETED_FAILED_ID not in [item["id"] for item in ctl.instances()]

    shown = ok(results["info by name"], changed=False)["instances"]
    assert [item["status"] for item in shown] == ["FAILED"]
    if timestamps == "offset":
        assert shown[0]["update_time"].endswith("+0800"), shown[0]


@pytest.mark.parametrize("stale_reads_after_delete", [0, 1])
def test_a_delete_whose_answer_was_lost_is_reported_as_this_tasks_change(ansible, ctl, stale_reads_after_delete):
    """The DELETE took effect but its connection dropped. The confirming read shows it gone (or, stale, as before: then
    the DELETE is sent again and answered 404, its own first DELETE's doing): changed, started once, gone."""
    ctl.config(stale_reads_after_delete=stale_reads_after_delete, delete_seconds=0)
    ctl.fault(method="DELETE", path=show(DEMO_ID) + "$", drop=True, apply=True)
    run = ansible.module(MODULE, {"workspace_id": WS, "instance_id": DEMO_ID, "state": "absent"})
    assert run.rc == 0, run
    assert run.last["changed"] is True
    deletes = [entry["status"] for entry in ctl.writes()]
    assert deletes == ([None, 404] if stale_reads_after_delete else [None]), deletes
    started = [event for event in ctl.call("GET", "events")["events"] if event["instance_id"] == DEMO_ID and event["to"] == "DELETING"]
    assert len(started) == 1
    assert DEMO_ID not in [item["id"] for item in ctl.instances()]


# ------------------------------------------------------------------------------------------------ list_total
PAGED_NEIGHBOURS = 150  # fuzzy matches of the name "paged": the exact one is created last, so it is on page two
PAGED_ID = case_id(0x41, 9999)


def add_paged(ctl):
    neighbours = [{"id": case_id(0x41, index), "name": "paged-{0:03d}".format(index), "workspace_id": WS} for index in range(PAGED_NEIGHBOURS)]
    ctl.add_instances(neighbours)
    ctl.add_instances([{"id": PAGED_ID, "name": "paged", "workspace_id": WS, "description": "on page two"}])


def deploy_args(name, **extra):
    """A full deploy declaration that matches the emulator's defaults: converged when the instance is found."""
    args = {
        "workspace_id": WS,
        "name": name,
        "source": {"id": SOURCE_ID},
        "endpoint_id": ENDPOINT_ID,
        "resource": {"min": 1, "max": 1, "spec_code": SPEC_CODE},
    }
    args.update(extra)
    return args


PAGES_READ = {"exact": [0, PAGE_SIZE], "string": [0, PAGE_SIZE], "missing": [0, PAGE_SIZE - 1], "wrong": [0, PAGE_SIZE, 0, PAGE_SIZE - 1]}


@pytest.mark.parametrize("list_total", sorted(PAGES_READ))
def test_every_page_is_read_whatever_list_total_says(ansible, ctl, list_total):
    """total exact, absent, a numeric string, or short of the real count: paging reads until a short page, so an
    instance on page two is found (no duplicate deploy) and the info module returns every instance once."""
    add_paged(ctl)
    ctl.config(list_total=list_total)
    run = ansible.playbook(
        [
            {"name": "converged by name", MODULE: deploy_args("paged", description="on page two")},
            {"name": "the whole workspace", INFO: {"workspace_id": WS}},
        ]
    )
    assert run.rc == 0, run
    results = by_task(run)
    found = ok(results["converged by name"], changed=False)
    assert found["instance"]["id"] == PAGED_ID
    listed = ok(results["the whole workspace"], changed=False)["instances"]
    ids = [item["id"] for item in listed]
    assert len(ids) == len(set(ids)) and set(ids) == {item["id"] for item in ctl.instances() if item["workspace_id"] == WS}
    assert len(ids) == PAGED_NEIGHBOURS + 1 + 3
    log = log_of(ctl)
    assert ctl.writes() == []
    # A believable total vouches for the next offset; without one, pages overlap by an item (the first must be the
    # last one read: nothing before it moved); a total that proves wrong on page two makes the listing start over.
    expected = PAGES_READ[list_total]
    assert offsets(lists_named(log, "paged")) == expected
    assert offsets([entry for entry in log if entry["path"] == BASE and "name" not in entry["query"]]) == expected
    # Oldest first: what is created while the pages are read lands on the last page.
    assert all(entry["query"]["sort_by"] == ["CREATE_TIME"] and entry["query"]["order_by"] == ["ASC"] for entry in log), log


# ------------------------------------------------------------------------------------- a list changing between pages
SHIFT_COUNT = 199


def add_shifting(ctl, target_index, count):
    """``count`` fuzzy matches of "shift" in creation order; the exact "shift" at ``target_index``."""
    instances = []
    for index in range(count):
        name = "shift" if index == target_index else "shift-{0:03d}".format(index)
        instances.append({"id": case_id(0x51, index), "name": name, "workspace_id": WS})
    ctl.add_instances(instances)
    return case_id(0x51, target_index)


@pytest.mark.parametrize("list_total", ["exact", "missing"])
def test_an_instance_created_between_pages_is_listed_once(ansible, ctl, list_total):
    """The target is the 100th of 199 matches: the last of page one oldest first, and newest first too. An instance
    created right after page one would push it onto page two again in newest-first order (listed twice)."""
    target = add_shifting(ctl, 99, SHIFT_COUNT)
    ctl.config(list_total=list_total)
    ctl.fault(method="GET", path=BASE + "$", times=1, then={"create": {"name": "shift-late", "workspace_id": WS}})
    run = ansible.playbook([{"name": "converged by name", MODULE: deploy_args("shift")}])
    assert run.rc == 0, run
    assert ok(by_task(run)["converged by name"], changed=False)["instance"]["id"] == target
    log = log_of(ctl)
    assert log[0]["then"]["created"], log[0]
    assert ctl.writes() == []


@pytest.mark.parametrize("list_total", ["exact", "missing", "string", "wrong"])
def test_an_instance_deleted_between_pages_does_not_hide_another(ansible, ctl, list_total):
    """The target is the first item of page two (oldest first); the oldest instance is deleted right after page one
    is answered, so page two starts one later and would skip the target: the task would deploy a duplicate."""
    target = add_shifting(ctl, PAGE_SIZE, PAGE_SIZE * 2)
    ctl.config(list_total=list_total)
    ctl.fault(method="GET", path=BASE + "$", times=1, then={"delete": case_id(0x51, 0)})
    run = ansible.playbook([{"name": "converged by name", MODULE: deploy_args("shift")}], verbosity=0)
    results = by_task(run)
    assert ctl.writes() == [], ctl.writes()
    assert len([item for item in ctl.instances() if item["name"] == "shift"]) == 1
    assert run.rc == 0, run
    assert ok(results["converged by name"], changed=False)["instance"]["id"] == target
