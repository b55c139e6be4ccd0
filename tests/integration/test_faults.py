# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults injected into the emulator: what is survived, what fails cleanly, and never a write applied twice.

Every scenario asserts the task's outcome and the emulator's request log (and its status events, which
count the updates really applied). Retry budgets are kept small (api_retries 0-2, Retry-After: 1) so that
the backoff stays short; the client's own backoff starts at 0.5-1 s and doubles.
"""

from __future__ import annotations

import re
import time

from seed import BASE, CANARY_ID, CHAT_ID, DEMO_ID, MODULE, WS  # pylint: disable=import-error

MISSING_ID = "0000dead-beef-4000-8000-000000000000"
REQUEST_ID = re.compile(r"request_id=([0-9a-f]{32})\b")
POLL_ERROR_BUDGET = 3  # consecutive failed polls tolerated (plugins/module_utils/_waiter.py)


def show(instance_id):
    return BASE + "/" + instance_id


def log_of(ctl, instance_id=None):
    """The request log by arrival (seq). An entry is written when its answer is sent, so a slow answer that the client
    gave up on may still be on its way: wait (a little) until no sequence number is missing."""
    deadline = time.monotonic() + 10
    while True:
        entries = sorted(ctl.requests(api_only=False), key=lambda entry: entry["seq"])
        if [entry["seq"] for entry in entries] == list(range(1, len(entries) + 1)) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    entries = [entry for entry in entries if entry["path"].startswith("/v1/")]
    if instance_id is None:
        return entries
    return [entry for entry in entries if entry["path"] == show(instance_id)]


def answered_by_fault(entry):
    fault = entry["fault"]
    return bool(fault) and (fault["drop"] or fault["status"] is not None)


def applied_writes(log, method="PUT"):
    """The writes the emulator really performed (a fault with apply performs it, then answers badly)."""
    applied = []
    for entry in log:
        if entry["method"] != method:
            continue
        if "applied_status" in entry:
            ok = entry["applied_status"] in (201, 202)
        else:
            ok = not answered_by_fault(entry) and entry["status"] in (201, 202)
        if ok:
            applied.append(entry)
    return applied


def updates_started(ctl, instance_id):
    """Status events: how many updates the emulator began on the instance."""
    events = ctl.call("GET", "events")["events"]
    return [event for event in events if event["instance_id"] == instance_id and event["operation"] == "update" and event["to"] == "UPDATING"]


def clean_failure(run, result=None, outcome="failed"):
    """A failure with a message, no traceback anywhere; returns the result."""
    if result is None:
        assert run.rc != 0, run
        outcome, result = run.results[-1]["outcome"], run.results[-1]["result"]
    assert outcome == "failed", result
    assert result.get("msg"), result
    assert "module_stderr" not in result and "module_stdout" not in result, result
    for text in (result["msg"], str(result.get("exception", "")), run.stdout, run.stderr):
        assert "Traceback (most recent call last)" not in text, text
    return result


def assert_api_error(result, status, error_code, error_msg):
    """The msg carries the HTTP status, error_code, error_msg and the request id; ``error`` holds them too."""
    msg = result["msg"]
    assert "HTTP {0}".format(status) in msg, msg
    assert "error_code={0}".format(error_code) in msg, msg
    assert "error_msg={0}".format(error_msg) in msg, msg
    found = REQUEST_ID.search(msg)
    assert found, msg
    assert result["error"]["status"] == status
    assert result["error"]["error_code"] == str(error_code)
    assert result["error"]["request_id"] == found.group(1)


# --------------------------------------------------------------------------------------------------- transient
# Each case has an instance of its own, and its faults target that instance's path, so that one playbook runs them
# all (one task per case, errors ignored so every case is judged). Updates finish at once (update_seconds 0):
# the time goes to the retries, not to the wait.

TRANSIENT = [
    # (case, fault rules, extra task options, the (method, status) the instance's log must start with)
    ("503-on-the-first-gets", [dict(method="GET", status=503, times=2)], {}, [("GET", 503), ("GET", 503), ("GET", 200), ("PUT", 202)]),
    ("429-retry-after-on-the-put", [dict(method="PUT", status=429, retry_after="1")], {}, [("GET", 200), ("PUT", 429), ("PUT", 202)]),
    # A write whose outcome is unknown is read back three times (a read right after a write may be stale) before it is resent.
    ("dropped-connection-put-not-applied", [dict(method="PUT", drop=True)], {}, [("GET", 200), ("PUT", None)] + [("GET", 200)] * 3 + [("PUT", 202)]),
    ("dropped-connection-put-applied", [dict(method="PUT", drop=True, apply=True)], {}, [("GET", 200), ("PUT", None), ("GET", 200)]),
    ("dropped-connection-on-a-get", [dict(method="GET", drop=True)], {}, [("GET", None), ("GET", 200), ("PUT", 202)]),
    ("html-502-page-on-a-get", [dict(method="GET", html=True)], {}, [("GET", 502), ("GET", 200), ("PUT", 202)]),
    ("html-502-page-put-applied", [dict(method="PUT", html=True, apply=True)], {}, [("GET", 200), ("PUT", 502), ("GET", 200)]),
    ("408-on-the-put-not-applied", [dict(method="PUT", status=408)], {}, [("GET", 200), ("PUT", 408)] + [("GET", 200)] * 3 + [("PUT", 202)]),
    ("answer-slower-than-api-timeout", [dict(method="GET", delay=2.5)], {"api_timeout": 1}, [("GET", 200), ("GET", 200), ("PUT", 202)]),
]


def case_instance_id(number):
    return "fa000000-0000-4000-8000-{0:012d}".format(number)


def test_transient_faults_are_survived_with_exactly_one_update_each(ansible, ctl):
    ctl.config(update_seconds=0)
    ctl.add_instances(
        [
            {
                "id": case_instance_id(number),
                "name": "fault-case-{0}".format(number),
                "workspace_id": WS,
                "description": "before",
                "config": {"model_instance_config": {"resource": {"min": 2, "max": 3}}},
            }
            for number in range(len(TRANSIENT))
        ]
    )
    tasks = []
    for number, (case, rules, extra, _expected) in enumerate(TRANSIENT):
        for rule in rules:
            ctl.fault(path=case_instance_id(number), **rule)
        args = dict(
            {
                "workspace_id": WS,
                "instance_id": case_instance_id(number),
                "description": "survived " + case,
                "resource": {"max": 5},
                "api_retries": 2,
            },
            **extra,
        )
        tasks.append({"name": case, MODULE: args, "ignore_errors": True})
    started = time.monotonic()
    run = ansible.playbook(tasks)
    elapsed = time.monotonic() - started
    results = {entry["task"]: entry for entry in run.results}
    log = log_of(ctl)
    assert not ctl.call("GET", "faults")["faults"], "every injected fault was met"

    for number, (case, _rules, _extra, expected_start) in enumerate(TRANSIENT):
        instance_id = case_instance_id(number)
        outcome, result = results[case]["outcome"], results[case]["result"]
        assert outcome == "ok", (case, result)
        assert result["changed"] is True, case
        assert result["instance"]["description"] == "survived " + case and result["instance"]["status"] == "RUNNING", case
        mine = [entry for entry in log if entry["path"] == show(instance_id)]
        # (The slow answer's log entry is written when it is finally sent: ordered by arrival, seq.)
        assert [(entry["method"], entry["status"]) for entry in mine[: len(expected_start)]] == expected_start, (case, mine)
        assert all(entry["method"] == "GET" for entry in mine[len(expected_start) :]), (case, mine)
        applied = applied_writes(mine)
        assert len(applied) == 1, (case, mine)
        assert applied[0]["body"] == {"description": "survived " + case, "config": {"model_instance_config": {"resource": {"min": 2, "max": 5}}}}, (
            case
        )
        assert len(updates_started(ctl, instance_id)) == 1, case
        instance = ctl.instance(instance_id)
        assert instance["description"] == "survived " + case, case
        assert instance["config"]["model_instance_config"]["resource"]["max"] == 5, case
        if case == "429-retry-after-on-the-put":
            puts = [entry for entry in mine if entry["method"] == "PUT"]
            # Retry-After: 1 honoured: the second PUT arrived at least about a second after the 429 was answered.
            assert puts[1]["time"] - puts[0]["time"] >= 0.9, puts
    # Nothing else was touched: every request went to one of the cases' instances.
    assert all(entry["path"].startswith(BASE + "/fa000000-") for entry in log), log
    assert elapsed < 60, elapsed


def test_lost_answers_to_a_deploy_and_a_delete_are_confirmed_never_resent(ansible, ctl):
    """POST answered 503 (not processed: resent), then a POST whose connection drops after it took effect (outcome
    unknown: confirmed by name, never resent): exactly one instance. A DELETE answered 504 after it took effect: the
    instance is read, found DELETING, and the task waits it out without a second DELETE."""
    ctl.fault(method="POST", path=BASE + "$", status=503, retry_after="0")
    ctl.fault(method="POST", path=BASE + "$", drop=True, apply=True)
    ctl.fault(method="DELETE", path=CANARY_ID, status=504, apply=True)
    deploy = {
        "workspace_id": WS,
        "name": "faulted-deploy",
        "source": {"id": "3f2a4c1e9b8d4e6f8a7b6c5d4e3f2a1b"},
        "endpoint_id": "0b5633ba2b904511ad514346f4d23d4b",
        "resource": {"min": 1, "max": 2, "spec_code": "mu.llama3.8b"},
        "api_retries": 2,
    }
    run = ansible.playbook(
        [
            {"name": "deploy", MODULE: deploy, "ignore_errors": True},
            {"name": "delete", MODULE: {"workspace_id": WS, "instance_id": CANARY_ID, "state": "absent", "api_retries": 2}, "ignore_errors": True},
        ]
    )
    results = {entry["task"]: entry for entry in run.results}
    assert results["deploy"]["outcome"] == "ok", results["deploy"]
    created = results["deploy"]["result"]
    assert created["changed"] is True and created["instance"]["status"] == "RUNNING"
    log = log_of(ctl)
    posts = [entry for entry in log if entry["method"] == "POST"]
    assert [(entry["status"], entry.get("applied_status")) for entry in posts] == [(503, None), (None, 202)], posts
    assert len(applied_writes(log, "POST")) == 1
    named = [item for item in ctl.instances() if item["name"] == "faulted-deploy"]
    assert len(named) == 1 and named[0]["id"] == created["instance"]["id"]

    assert results["delete"]["outcome"] == "ok", results["delete"]
    assert results["delete"]["result"]["changed"] is True
    deletes = [entry for entry in log if entry["method"] == "DELETE"]
    assert len(deletes) == 1 and deletes[0]["status"] == 504 and deletes[0]["applied_status"] == 202, log
    assert CANARY_ID not in [item["id"] for item in ctl.instances()]


# --------------------------------------------------------------------------------------------------- persistent
# One playbook, one task per fault on its own instance (the faults target each instance's path).


def test_persistent_faults_fail_cleanly_with_status_code_message_and_request_id(ansible, ctl):
    ctl.fault(method="*", path=DEMO_ID, status=500, times=50)  # every request
    ctl.fault(method="PUT", path=CANARY_ID, status=500, times=50)  # every write (reads are fine)
    ctl.fault(method="GET", path=CHAT_ID, status=403, times=50)  # the documented nested 403 body
    ctl.fault(method="GET", path="ffffffff-0000-4000-8000-00000000000a", html=True, times=50)  # an HTML gateway page
    wrong_token = "wrong-" + "x" * 40
    tasks = [
        {"name": "500 everywhere", MODULE: {"workspace_id": WS, "instance_id": DEMO_ID, "description": "never", "api_retries": 2}},
        {"name": "500 on writes", MODULE: {"workspace_id": WS, "instance_id": CANARY_ID, "description": "never", "api_retries": 1}},
        {"name": "403 nested", MODULE: {"workspace_id": WS, "instance_id": CHAT_ID, "description": "never", "api_retries": 2}},
        {
            "name": "502 html",
            MODULE: {"workspace_id": WS, "instance_id": "ffffffff-0000-4000-8000-00000000000a", "description": "never", "api_retries": 1},
        },
        {"name": "401 wrong token", MODULE: {"workspace_id": WS, "instance_id": CANARY_ID, "description": "never", "auth_token": wrong_token}},
        {"name": "404 unknown id", MODULE: {"workspace_id": WS, "instance_id": MISSING_ID, "description": "never"}},
    ]
    for task in tasks:
        task["ignore_errors"] = True
    before = {instance_id: ctl.instance(instance_id) for instance_id in (DEMO_ID, CANARY_ID, CHAT_ID)}
    run = ansible.playbook(tasks)
    assert run.rc == 0, run  # every failure ignored, none of them crashed
    results = {entry["task"]: clean_failure(run, entry["result"], entry["outcome"]) for entry in run.results}
    assert sorted(results) == sorted(task["name"] for task in tasks)

    assert_api_error(results["500 everywhere"], 500, "common.00000500", "internal error")
    assert_api_error(results["500 on writes"], 500, "common.00000500", "internal error")
    assert_api_error(results["403 nested"], 403, 403, "X-Auth-Token is invalid in the request")
    assert_api_error(results["502 html"], 502, 502, "502 Bad Gateway 502 Bad Gateway api-gateway")
    assert_api_error(results["401 wrong token"], 401, "APIG.1002", "Incorrect token or token resolution failed")
    assert_api_error(results["404 unknown id"], 404, "common.01000001", "response status exception, code: 404")
    assert wrong_token not in run.stdout + run.stderr

    log = log_of(ctl)
    per_task = {
        "500 everywhere": [entry for entry in log if entry["path"] == show(DEMO_ID) and entry["status"] == 500],
        "500 on writes": [entry for entry in log if entry["path"] == show(CANARY_ID) and entry["status"] != 401],
        "403 nested": [entry for entry in log if entry["path"] == show(CHAT_ID)],
        "502 html": [entry for entry in log if "ffffffff" in entry["path"]],
        "401 wrong token": [entry for entry in log if entry["path"] == show(CANARY_ID) and entry["status"] == 401],
        "404 unknown id": [entry for entry in log if entry["path"] == show(MISSING_ID)],
    }
    # What was retried and what was not: a GET after 500/502 up to api_retries; a PUT after a 500 only after a read showed
    # it had not taken effect; 401, 403, 404 never.
    assert [entry["method"] for entry in per_task["500 everywhere"]] == ["GET"] * 3
    # (the read after the last PUT checks whether that one took effect after all: then the task would succeed)
    # (each read back three times: a read right after a write may be stale)
    confirmation = [("GET", 200)] * 3
    assert [(entry["method"], entry["status"]) for entry in per_task["500 on writes"]] == [("GET", 200), ("PUT", 500)] + confirmation + [
        ("PUT", 500)
    ] + confirmation
    assert [entry["status"] for entry in per_task["403 nested"]] == [403]
    assert [entry["status"] for entry in per_task["502 html"]] == [502, 502]
    assert [entry["status"] for entry in per_task["401 wrong token"]] == [401]
    assert [entry["status"] for entry in per_task["404 unknown id"]] == [404]
    # Bounded: each task's requests span at most its backoff (api_retries 2: two pauses of at most 1 s + 2 s), and a
    # write's read-backs (two pauses of 1 s each time).
    for name, entries in per_task.items():
        assert entries[-1]["time"] - entries[0]["time"] < (9 if name == "500 on writes" else 5), (name, entries)
    # Nothing was written.
    assert applied_writes(log) == [] and [entry for entry in log if entry["method"] in ("POST", "DELETE")] == []
    for instance_id, instance in before.items():
        assert ctl.instance(instance_id)["description"] == instance["description"]


# --------------------------------------------------------------------------------------------------- while waiting
# By name, so the read is a List request and the fault rules on the Show path hit only the polls.


def test_errors_while_polling_are_tolerated_up_to_a_bound_then_the_real_error_is_raised(ansible, ctl):
    # demo-llm: a dropped connection, a 503 and an HTML 504 page: three failed polls in a row, the budget, tolerated.
    ctl.fault(method="GET", path=show(DEMO_ID) + "$", drop=True)
    ctl.fault(method="GET", path=show(DEMO_ID) + "$", status=503)
    ctl.fault(method="GET", path=show(DEMO_ID) + "$", html=True, status=504)
    # demo-llm-canary: 500 on every poll: one more than the budget, then that error. Demo Chat Assistant: 403, not transient.
    ctl.fault(method="GET", path=show(CANARY_ID) + "$", status=500, times=50)
    ctl.fault(method="GET", path=show(CHAT_ID) + "$", status=403, times=50)
    tasks = [
        {"name": "tolerated", MODULE: {"workspace_id": WS, "name": "demo-llm", "description": "polled through faults", "api_retries": 0}},
        {
            "name": "persistent 500",
            MODULE: {"workspace_id": WS, "name": "demo-llm-canary", "description": "never seen", "api_retries": 0, "wait_timeout": 120},
        },
        {
            "name": "403",
            MODULE: {"workspace_id": WS, "name": "Demo Chat Assistant", "description": "never seen", "api_retries": 0, "wait_timeout": 120},
        },
    ]
    for task in tasks:
        task["ignore_errors"] = True
    started = time.monotonic()
    run = ansible.playbook(tasks)
    elapsed = time.monotonic() - started
    results = {entry["task"]: entry for entry in run.results}
    log = log_of(ctl)

    assert results["tolerated"]["outcome"] == "ok", results["tolerated"]
    tolerated = results["tolerated"]["result"]
    assert tolerated["changed"] is True and tolerated["instance"]["description"] == "polled through faults"
    mine = [entry for entry in log if entry["path"] == show(DEMO_ID)]
    assert [(entry["method"], entry["status"]) for entry in mine[:5]] == [("PUT", 202), ("GET", None), ("GET", 503), ("GET", 504), ("GET", 200)], mine

    persistent = clean_failure(run, results["persistent 500"]["result"], results["persistent 500"]["outcome"])
    assert_api_error(persistent, 500, "common.00000500", "internal error")
    assert "timed out" not in persistent["msg"]
    polls = [entry for entry in log if entry["path"] == show(CANARY_ID) and entry["method"] == "GET"]
    assert len(polls) == POLL_ERROR_BUDGET + 1 and all(entry["status"] == 500 for entry in polls), polls

    forbidden = clean_failure(run, results["403"]["result"], results["403"]["outcome"])
    assert_api_error(forbidden, 403, 403, "X-Auth-Token is invalid in the request")
    polls = [entry for entry in log if entry["path"] == show(CHAT_ID) and entry["method"] == "GET"]
    assert [entry["status"] for entry in polls] == [403], polls  # not transient: raised at the first one

    # Every update was sent once and applied (the failures are about seeing them through), far inside wait_timeout.
    assert len(applied_writes(log)) == 3 and len([entry for entry in log if entry["method"] == "PUT"]) == 3
    assert elapsed < 40, elapsed
