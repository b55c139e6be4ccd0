# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabric_service_instance updates, by real ansible-playbook runs against the emulator.

Every scenario asserts on the emulator's request log: converged is exactly the read, a change is exactly one
PUT holding only the differing fields, check mode never writes, bad input sends nothing at all.
"""

from __future__ import annotations

import re

from seed import BASE, CANARY_ID, CHAT_ID, DEMO_ID, MODULE, WS, without_stable_order  # pylint: disable=import-error

# The seed (fabric_emulator/seed.json).
DEMO_SOURCE = {"id": "3f2a4c1e9b8d4e6f8a7b6c5d4e3f2a1b", "version_id": "7c6b5a4d3e2f41a0b9c8d7e6f5a4b3c2"}
DEMO_ENDPOINT = "0b5633ba2b904511ad514346f4d23d4b"
MISSING_ID = "0000dead-beef-4000-8000-000000000000"


# ----------------------------------------------------------------------------- helpers


def resource_of(instance):
    return instance["config"]["model_instance_config"]["resource"]


def shape(description=None, max_=None, **named):
    """Diff / body fragments in the API's shape."""
    result = dict(named)
    if description is not None:
        result["description"] = description
    if max_ is not None:
        result["config"] = {"model_instance_config": {"resource": {"max": max_}}}
    return result


def show_path(instance_id):
    return BASE + "/" + instance_id


def is_show(entry, instance_id):
    return entry["method"] == "GET" and entry["path"] == show_path(instance_id)


def is_list(entry):
    return entry["method"] == "GET" and entry["path"] == BASE


def puts(log):
    return [entry for entry in log if entry["method"] == "PUT"]


def query(entry):
    """The query of a logged request as {key: single value}; a List request's stable order is checked and left out."""
    values = {key: values[0] for key, values in entry["query"].items()}
    return without_stable_order(values, entry) if "limit" in values else values


def snapshot(ctl, *instance_ids):
    return {instance_id: ctl.instance(instance_id) for instance_id in instance_ids}


def task_results(run):
    """{task name: (outcome, result)} of a playbook run."""
    return {entry["task"]: (entry["outcome"], entry["result"]) for entry in run.results}


def assert_clean_failure(run, outcome, result):
    """A failure with a message and no traceback anywhere (ansible-core 2.19 records a placeholder under exception)."""
    assert outcome == "failed", result
    assert result.get("msg"), result
    assert "module_stderr" not in result and "module_stdout" not in result, result
    for text in (result["msg"], str(result.get("exception", "")), run.stdout, run.stderr):
        assert "Traceback (most recent call last)" not in text and 'File "' not in text, text


def assert_in_order(msg, *parts):
    """Each part appears in msg after the previous one (a field, then its current, then its requested value)."""
    position = 0
    for part in parts:
        found = msg.find(str(part), position)
        assert found >= 0, "{0!r} not found in order in {1!r}".format(part, msg)
        position = found + len(str(part))


def assert_update_log(log, read, instance_id, body):
    """A real update: the read, exactly one PUT with exactly ``body``, then only polls of the instance."""
    assert read(log[0]), log[0]
    changes = puts(log)
    assert len(changes) == 1, log
    assert log[1]["method"] == "PUT"
    assert changes[0]["path"] == show_path(instance_id)
    assert changes[0]["body"] == body
    assert changes[0]["status"] == 202
    polls = log[2:]
    assert polls and all(is_show(entry, instance_id) for entry in polls), log
    assert [entry for entry in log if entry["method"] not in ("GET", "PUT")] == []


def ladder(ansible, ctl, args, instance_id, old, new, body, read, reads, named=None):
    """check mode -> nothing changed -> real run -> rerun not changed -> check-mode rerun not changed (with diff).

    ``old``/``new`` are (description, max); ``read`` tells the read requests apart; ``reads`` is how many
    GETs a converged run makes; ``named`` the other fields the task names (unchanged, so in both diff sides).
    """
    named = named or {}
    before = ctl.instance(instance_id)
    old_description, old_max = old
    new_description, new_max = new

    # 1. check mode (with diff): predicted instance, no write, the emulator untouched.
    ctl.clear_log()
    run = ansible.module(MODULE, args, check=True, diff=True)
    assert run.rc == 0, run
    result = run.last
    assert result["changed"] is True
    predicted = result["instance"]
    assert predicted["id"] == instance_id
    assert predicted["description"] == new_description
    assert resource_of(predicted) == dict(resource_of(before), max=new_max)
    assert predicted["status"] == before["status"]
    assert result["diff"] == {"before": shape(old_description, old_max, **named), "after": shape(new_description, new_max, **named)}
    log = ctl.requests()
    assert len(log) == reads and all(read(entry) for entry in log), log
    assert ctl.instance(instance_id) == before

    # 2. real run (with diff): one PUT holding only the differing fields, max travelling with the current min.
    ctl.clear_log()
    run = ansible.module(MODULE, args, diff=True)
    assert run.rc == 0, run
    result = run.last
    assert result["changed"] is True
    assert result["diff"]["after"]["description"] == new_description
    assert result["diff"]["before"]["description"] == old_description
    assert result["instance"]["status"] == "RUNNING"
    assert result["instance"]["description"] == new_description
    assert resource_of(result["instance"])["max"] == new_max
    log = ctl.requests()
    assert [entry for entry in log[:reads] if read(entry)] == log[:reads], log
    assert_update_log(log[reads - 1 :], read, instance_id, body)
    after = ctl.instance(instance_id)
    assert after["status"] == "RUNNING" and after["_emulator"]["pending"] is None
    assert after["description"] == new_description
    assert resource_of(after) == dict(resource_of(before), max=new_max)
    assert after["name"] == before["name"] and after["source"] == before["source"]

    # 3. rerun: converged, exactly the read.
    ctl.clear_log()
    run = ansible.module(MODULE, args)
    assert run.rc == 0, run
    assert run.last["changed"] is False
    assert run.last["instance"]["description"] == new_description
    log = ctl.requests()
    assert len(log) == reads and all(read(entry) for entry in log), log

    # 4. check-mode rerun with diff: converged, before == after, exactly the read.
    ctl.clear_log()
    run = ansible.module(MODULE, args, check=True, diff=True)
    assert run.rc == 0, run
    assert run.last["changed"] is False
    assert run.last["diff"]["before"] == run.last["diff"]["after"] == shape(new_description, new_max, **named)
    log = ctl.requests()
    assert len(log) == reads and all(read(entry) for entry in log), log
    assert ctl.instance(instance_id) == after


# ----------------------------------------------------------------------------- ladders


def test_ladder_by_id(ansible, ctl):
    args = {"workspace_id": WS, "instance_id": CHAT_ID, "description": "chat assistant v2", "resource": {"max": 6}}
    body = {"description": "chat assistant v2", "config": {"model_instance_config": {"resource": {"min": 2, "max": 6}}}}
    ladder(ansible, ctl, args, CHAT_ID, ("name with spaces", 4), ("chat assistant v2", 6), body, read=lambda entry: is_show(entry, CHAT_ID), reads=1)


def test_ladder_by_name(ansible, ctl):
    # "demo-llm" is also a substring of "demo-llm-canary": the API's fuzzy filter returns both.
    args = {"workspace_id": WS, "name": "demo-llm", "description": "serves the demo chat", "resource": {"max": 4}}
    body = {"description": "serves the demo chat", "config": {"model_instance_config": {"resource": {"min": 1, "max": 4}}}}

    def read(entry):
        return is_list(entry) and query(entry) == {"name": "demo-llm", "limit": "100", "offset": "0"}

    canary = ctl.instance(CANARY_ID)
    # The task names the instance by its name, so the diff holds the name on both sides.
    ladder(ansible, ctl, args, DEMO_ID, ("demo instance", 2), ("serves the demo chat", 4), body, read=read, reads=1, named={"name": "demo-llm"})
    assert ctl.instance(CANARY_ID) == canary


def test_rename_by_instance_id(ansible, ctl):
    args = {"workspace_id": WS, "instance_id": CANARY_ID, "name": "demo-llm-canary-v2", "description": "canary of demo-llm"}
    before = ctl.instance(CANARY_ID)
    run = ansible.module(MODULE, args, diff=True)
    assert run.rc == 0, run
    result = run.last
    assert result["changed"] is True
    assert result["instance"]["name"] == "demo-llm-canary-v2"
    assert result["diff"] == {
        "before": {"name": "demo-llm-canary", "description": "canary of demo-llm"},
        "after": {"name": "demo-llm-canary-v2", "description": "canary of demo-llm"},
    }
    log = ctl.requests()
    # The unchanged description is not sent.
    assert_update_log(log, lambda entry: is_show(entry, CANARY_ID), CANARY_ID, {"name": "demo-llm-canary-v2"})
    after = ctl.instance(CANARY_ID)
    assert after["name"] == "demo-llm-canary-v2"
    assert {key: value for key, value in after.items() if key not in ("name", "update_time")} == {
        key: value for key, value in before.items() if key not in ("name", "update_time")
    }

    ctl.clear_log()
    run = ansible.module(MODULE, args)
    assert run.rc == 0 and run.last["changed"] is False, run
    log = ctl.requests()
    assert len(log) == 1 and is_show(log[0], CANARY_ID), log


# ----------------------------------------------------------------------------- finding by name


def test_by_name_across_pages(ansible, ctl):
    """121 fuzzy matches: the target, created first, is the last item of the second page (newest first)."""
    target = ctl.add_instances(
        [
            {
                "workspace_id": WS,
                "name": "fleet-llm",
                "description": "the target",
                "config": {"model_instance_config": {"resource": {"min": 1, "max": 3}}},
            }
        ]
    )["instances"][0]
    neighbours = [{"workspace_id": WS, "name": "fleet-llm-{0:03d}".format(index)} for index in range(112)]
    neighbours += [
        {"workspace_id": WS, "name": name}
        for name in ("old-fleet-llm", "fleet-llm.bak", "fleet-llm ", "fleet-llm-2", "my fleet-llm", "fleet-llm_canary")
    ]
    # An exact namesake that is being deleted counts as absent, as does one that is gone for good.
    neighbours += [{"workspace_id": WS, "name": "fleet-llm", "status": "DELETING"}, {"workspace_id": WS, "name": "fleet-llm", "status": "DELETED"}]
    # Instances the filter leaves out, and the same name in another workspace.
    neighbours += [{"workspace_id": WS, "name": "unrelated-{0}".format(index)} for index in range(5)]
    neighbours += [{"workspace_id": "ws-other", "name": "fleet-llm"}]
    added = ctl.add_instances(neighbours)["instances"]
    assert len(added) == 126
    others = {instance["id"]: instance for instance in ctl.instances() if instance["id"] != target["id"]}

    args = {"workspace_id": WS, "name": "fleet-llm", "description": "found on page two", "resource": {"max": 5}}
    ctl.clear_log()
    run = ansible.module(MODULE, args)
    assert run.rc == 0, run
    assert run.last["changed"] is True
    assert run.last["instance"]["id"] == target["id"]
    log = ctl.requests()
    lists = [entry for entry in log if is_list(entry)]
    assert [query(entry) for entry in lists] == [
        {"name": "fleet-llm", "limit": "100", "offset": "0"},
        {"name": "fleet-llm", "limit": "100", "offset": "100"},
    ]
    assert log[:2] == lists
    assert_update_log(
        log[1:], is_list, target["id"], {"description": "found on page two", "config": {"model_instance_config": {"resource": {"min": 1, "max": 5}}}}
    )
    after = ctl.instance(target["id"])
    assert after["description"] == "found on page two" and resource_of(after)["max"] == 5
    # No other instance was touched.
    assert {instance["id"]: instance for instance in ctl.instances() if instance["id"] != target["id"]} == others

    # Converged: both list pages and nothing else.
    ctl.clear_log()
    run = ansible.module(MODULE, args)
    assert run.rc == 0 and run.last["changed"] is False, run
    assert run.last["instance"]["id"] == target["id"]
    log = ctl.requests()
    assert [query(entry) for entry in log if is_list(entry)] == [
        {"name": "fleet-llm", "limit": "100", "offset": "0"},
        {"name": "fleet-llm", "limit": "100", "offset": "100"},
    ]
    assert len(log) == 2


def test_name_with_spaces_falls_back_to_an_unfiltered_list(ansible, ctl):
    """The List API rejects a name filter with spaces (400): the module lists everything and matches itself."""
    args = {"workspace_id": WS, "name": "Demo Chat Assistant", "description": "found without the filter"}
    run = ansible.module(MODULE, args)
    assert run.rc == 0, run
    assert run.last["changed"] is True
    assert run.last["instance"]["id"] == CHAT_ID
    log = ctl.requests()
    assert is_list(log[0]) and log[0]["status"] == 400
    assert query(log[0]) == {"name": "Demo Chat Assistant", "limit": "100", "offset": "0"}
    assert is_list(log[1]) and log[1]["status"] == 200
    assert query(log[1]) == {"limit": "100", "offset": "0"}
    assert_update_log(log[1:], is_list, CHAT_ID, {"description": "found without the filter"})
    assert ctl.instance(CHAT_ID)["description"] == "found without the filter"


def test_two_instances_with_the_name_fail_listing_both(ansible, ctl):
    twins = ctl.add_instances([{"workspace_id": WS, "name": "twin-llm"}, {"workspace_id": WS, "name": "twin-llm"}])["instances"]
    before = snapshot(ctl, *[twin["id"] for twin in twins])
    run = ansible.module(MODULE, {"workspace_id": WS, "name": "twin-llm", "description": "which one"})
    assert run.rc != 0
    assert_clean_failure(run, run.results[-1]["outcome"], run.last)
    msg = run.last["msg"]
    assert "twin-llm" in msg
    for twin in twins:
        assert twin["id"] in msg, msg
    log = ctl.requests()
    assert log and all(is_list(entry) for entry in log), log
    assert ctl.writes() == []
    assert snapshot(ctl, *before) == before


# ----------------------------------------------------------------------------- refusals and errors


def test_refusals(ansible, ctl):
    """Fields the API cannot change, and max below the current min: failures before any write.

    The first task names every managed field at its current value: converged, nothing refused.
    """
    other_source = "aaaabbbbccccddddeeeeffff00001111"
    other_version = "99998888777766665555444433332222"
    other_endpoint = "7d1f3b5a9c2e4d6f8a0b1c3d5e7f9a2b"
    cases = [
        # (task name, args, [(field, current, requested)]); current/requested as the message shows them (repr)
        (
            "refuse resource.min",
            {"instance_id": DEMO_ID, "description": "would change", "resource": {"min": 3, "max": 3}},
            [("resource.min", "1", "3")],
        ),
        (
            "refuse source.id",
            {"instance_id": DEMO_ID, "source": dict(DEMO_SOURCE, id=other_source)},
            [("source.id", repr(DEMO_SOURCE["id"]), repr(other_source))],
        ),
        (
            "refuse source.version_id",
            {"instance_id": DEMO_ID, "source": dict(DEMO_SOURCE, version_id=other_version)},
            [("source.version_id", repr(DEMO_SOURCE["version_id"]), repr(other_version))],
        ),
        (
            "refuse resource.spec_code",
            {"instance_id": DEMO_ID, "resource": {"spec_code": "mu.qwen2.7b"}},
            [("resource.spec_code", "'mu.llama3.8b'", "'mu.qwen2.7b'")],
        ),
        (
            "refuse endpoint_id",
            {"instance_id": DEMO_ID, "description": "would change", "endpoint_id": other_endpoint},
            [("endpoint_id", repr(DEMO_ENDPOINT), repr(other_endpoint))],
        ),
        (
            "refuse max below the current min",
            {"instance_id": CHAT_ID, "description": "would change", "resource": {"max": 1}},
            [("resource.max", "1", "2")],
        ),  # "resource.max 1 is below the instance's current resource.min 2"
    ]
    converged = {
        "instance_id": DEMO_ID,
        "name": "demo-llm",
        "description": "demo instance",
        "source": DEMO_SOURCE,
        "endpoint_id": DEMO_ENDPOINT,
        "resource": {"min": 1, "max": 2, "spec_code": "mu.llama3.8b"},
    }
    before = snapshot(ctl, DEMO_ID, CHAT_ID)
    tasks = [{"name": "every field at its current value", MODULE: dict(converged, workspace_id=WS)}]
    tasks += [{"name": name, MODULE: dict(args, workspace_id=WS), "ignore_errors": True} for name, args, _expected in cases]
    run = ansible.playbook(tasks, diff=True)
    assert run.rc == 0, run
    results = task_results(run)
    assert len(results) == len(tasks), run

    outcome, result = results["every field at its current value"]
    assert outcome == "ok" and result["changed"] is False, result
    assert (
        result["diff"]["before"]
        == result["diff"]["after"]
        == {
            "name": "demo-llm",
            "description": "demo instance",
            "source": DEMO_SOURCE,
            "endpoint_id": DEMO_ENDPOINT,
            "config": {"model_instance_config": {"resource": {"min": 1, "max": 2, "spec_code": "mu.llama3.8b"}}},
        }
    )

    for name, _args, expected in cases:
        outcome, result = results[name]
        assert_clean_failure(run, outcome, result)
        for field, current, requested in expected:
            assert_in_order(result["msg"], field, current, requested)
    log = ctl.requests()
    assert len(log) == len(tasks), log
    assert all(entry["method"] == "GET" and entry["status"] == 200 for entry in log), log
    assert ctl.writes() == []
    assert snapshot(ctl, DEMO_ID, CHAT_ID) == before


def test_unknown_instance_id_is_a_clean_404_failure(ansible, ctl):
    run = ansible.module(MODULE, {"workspace_id": WS, "instance_id": MISSING_ID, "description": "nobody"})
    assert run.rc != 0
    result = run.last
    assert_clean_failure(run, run.results[-1]["outcome"], result)
    msg = result["msg"]
    assert "HTTP 404" in msg, msg
    assert "error_code=common.01000001" in msg, msg
    assert "response status exception, code: 404" in msg, msg  # the API's error_msg
    request_id = re.search(r"request_id=([0-9a-f]{32})\b", msg)
    assert request_id, msg
    assert result["error"]["status"] == 404
    assert result["error"]["error_code"] == "common.01000001"
    assert result["error"]["request_id"] == request_id.group(1)
    log = ctl.requests()
    assert len(log) == 1 and is_show(log[0], MISSING_ID) and log[0]["status"] == 404, log


def test_bad_input_sends_no_request(ansible, ctl):
    cases = [
        ("workspace_id with bad characters", {"workspace_id": "ws_demo!", "instance_id": DEMO_ID, "description": "x"}, "workspace_id"),
        ("name too long", {"workspace_id": WS, "name": "n" * 65, "description": "x"}, "name"),
        ("forbidden description character", {"workspace_id": WS, "instance_id": DEMO_ID, "description": "a <b> c"}, "description"),
        ("max above 1000", {"workspace_id": WS, "instance_id": DEMO_ID, "resource": {"max": 1001}}, "max"),
        ("min above max", {"workspace_id": WS, "instance_id": DEMO_ID, "resource": {"min": 3, "max": 2}}, "max"),
        ("unknown resource sub-key", {"workspace_id": WS, "instance_id": DEMO_ID, "resource": {"max": 3, "maximum": 4}}, "maximum"),
    ]
    tasks = [{"name": name, MODULE: args, "ignore_errors": True} for name, args, _word in cases]
    run = ansible.playbook(tasks)
    assert run.rc == 0, run
    results = task_results(run)
    assert len(results) == len(cases), run
    for name, _args, word in cases:
        outcome, result = results[name]
        assert_clean_failure(run, outcome, result)
        assert word in result["msg"], (name, result["msg"])
    assert ctl.requests(api_only=False) == []
