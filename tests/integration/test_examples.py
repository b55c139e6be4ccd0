# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every playbook in examples/ runs against the emulator as it is written, with its default vars."""

from __future__ import annotations

import os

import pytest
from conftest import ROOT  # pylint: disable=import-error

EXAMPLES = os.path.join(ROOT, "examples")
DEMO_LLM = "b935d0ef-f4eb-4b95-aff1-9d33ae9f57b6"
CANARY = "4c1e7f2a-9d3b-4a6e-8f51-2b7c0d9e3a18"
# Not playbooks: what ansible-builder reads.
NOT_PLAYBOOKS = {"execution-environment.yml"}
TESTED = {
    "demo.yml",
    "update_by_id.yml",
    "update_by_name.yml",
    "drift_report.yml",
    "lifecycle.yml",
    "read_instances.yml",
    "rolling_change.yml",
    "fleet_change.yml",
}


def example(name):
    return os.path.join(EXAMPLES, name)


def task(run, name):
    """The recorded result of the task called ``name`` (the last one when it ran more than once)."""
    found = [entry for entry in run.results if entry["task"] == name]
    assert found, "task {0!r} did not run: {1!r}".format(name, run)
    return found[-1]


def resource(instance):
    return instance["config"]["model_instance_config"]["resource"]


def test_every_example_playbook_has_a_test():
    playbooks = {name for name in os.listdir(EXAMPLES) if name.endswith((".yml", ".yaml"))} - NOT_PLAYBOOKS
    assert playbooks == TESTED


def test_demo_changes_then_finds_nothing_to_do(ansible, ctl):
    first = ansible.playbook(example("demo.yml"), diff=True)
    assert first.rc == 0, first
    assert task(first, "Declare the description and the maximum of demo-llm (found by its exact name)")["result"]["changed"] is True
    second = ansible.playbook(example("demo.yml"), diff=True)
    assert second.rc == 0, second
    assert not [entry for entry in second.results if entry["result"].get("changed")], second
    assert ctl.instance(DEMO_LLM)["description"] == "serves the demo chat"


def test_update_by_id(ansible, ctl):
    run = ansible.playbook(example("update_by_id.yml"), diff=True)
    assert run.rc == 0, run
    result = task(run, "Declare the description and the maximum of the instance")["result"]
    assert result["changed"] is True
    assert result["instance"]["id"] == DEMO_LLM
    assert result["instance"]["status"] == "RUNNING"
    assert result["diff"]["before"]["description"] == "demo instance"
    assert result["diff"]["after"]["description"] == "serves the demo chat (managed by id)"
    assert "was updated: status RUNNING, max 3" in task(run, "Report what the API shows now")["result"]["msg"]
    live = ctl.instance(DEMO_LLM)
    assert live["description"] == "serves the demo chat (managed by id)"
    assert resource(live)["max"] == 3
    assert [(entry["method"], entry["path"].rsplit("/", 1)[-1]) for entry in ctl.writes()] == [("PUT", DEMO_LLM)]


def test_update_by_name_is_idempotent(ansible, ctl):
    first = ansible.playbook(example("update_by_name.yml"))
    assert first.rc == 0, first
    result = task(first, "Declare the description and the maximum of the instance")["result"]
    assert result["changed"] is True and result["instance"]["id"] == CANARY
    assert resource(ctl.instance(CANARY))["max"] == 2
    writes = len(ctl.writes())
    second = ansible.playbook(example("update_by_name.yml"))
    assert second.rc == 0, second
    assert task(second, "Declare the description and the maximum of the instance")["result"]["changed"] is False
    assert "was already as declared" in task(second, "Report what the API shows now")["result"]["msg"]
    assert len(ctl.writes()) == writes


def test_drift_report_writes_nothing_and_names_the_drift(ansible, ctl):
    run = ansible.playbook(example("drift_report.yml"), diff=True)
    assert run.rc == 0, run
    assert ctl.writes() == []
    facts = task(run, "Collect the names of the instances that drifted")["result"]["ansible_facts"]
    assert facts["drifted"] == ["demo-llm"]  # the seed's canary is as declared
    report = task(run, "Report what each drifted instance shows and what is declared")["result"]["results"]
    assert [item["msg"] for item in report] == [
        [
            "demo-llm ({0}) drifted".format(DEMO_LLM),
            'description: live "demo instance", declared "serves the demo chat"',
            "max: live 2, declared 4",
        ]
    ]
    assert task(run, "Summarise the drift")["result"]["msg"] == "1 of 2 declared instances drifted: demo-llm"
    assert task(run, "Fail when something drifted and the run is a gate")["outcome"] == "skipped"


def test_drift_report_as_a_gate(ansible, ctl):
    run = ansible.playbook(example("drift_report.yml"), extra_vars={"fail_on_drift": True})
    assert run.rc != 0, run
    gate = task(run, "Fail when something drifted and the run is a gate")
    assert gate["outcome"] == "failed" and gate["result"]["msg"] == "drifted: demo-llm"
    assert ctl.writes() == []
    ctl.patch(DEMO_LLM, {"description": "serves the demo chat", "config": {"model_instance_config": {"resource": {"max": 4}}}})
    clean = ansible.playbook(example("drift_report.yml"), extra_vars={"fail_on_drift": True})
    assert clean.rc == 0, clean
    assert task(clean, "Summarise the drift")["result"]["msg"] == "0 of 2 declared instances drifted"


def test_lifecycle_deploys_updates_and_deletes(ansible, ctl):
    before = {item["id"] for item in ctl.instances()}
    run = ansible.playbook(example("lifecycle.yml"), diff=True)
    assert run.rc == 0, run
    deployed = task(run, "Deploy the instance (waits until it is RUNNING)")["result"]
    assert deployed["changed"] is True and deployed["instance"]["status"] == "RUNNING"
    assert deployed["instance"]["name"] == "example-lifecycle"
    updated = task(run, "Raise its maximum and change its description")["result"]
    assert updated["changed"] is True and resource(updated["instance"])["max"] == 2
    assert task(run, "Delete it (waits until it is gone)")["result"]["changed"] is True
    assert task(run, "Look for it once more")["result"]["instances"] == []
    assert task(run, "Check that every step did its job")["outcome"] == "ok"
    assert [entry["method"] for entry in ctl.writes()] == ["POST", "PUT", "DELETE"]
    assert {item["id"] for item in ctl.instances() if item.get("status") != "DELETED"} == before


def test_read_instances_uses_what_it_read(ansible, ctl):
    run = ansible.playbook(example("read_instances.yml"))
    assert run.rc == 0, run
    facts = task(run, "Summarise the workspace")["result"]["ansible_facts"]
    assert facts["instance_id"] == DEMO_LLM
    assert int(facts["instance_count"]) == 3
    assert int(facts["max_replicas"]) == 2 + 1 + 4
    assert facts["not_running"] == []
    assert facts["on_endpoint_names"] == ["demo-llm", "demo-llm-canary"]
    doubled = task(run, "Show what doubling its maximum would change, by the id just read (check mode, nothing is written)")["result"]
    assert doubled["changed"] is True
    assert doubled["diff"]["after"]["config"]["model_instance_config"]["resource"]["max"] == 4
    assert ctl.writes() == []


def shows_the_change(instance, description):
    return instance["status"] == "RUNNING" and instance["description"] == description and resource(instance)["max"] == 3


def test_rolling_change_waits_for_each_instance_before_the_next(ansible, ctl):
    run = ansible.playbook(example("rolling_change.yml"))
    assert run.rc == 0, run
    description = "serves the demo chat (rolled out)"
    assert all(shows_the_change(ctl.instance(instance_id), description) for instance_id in (CANARY, DEMO_LLM))
    writes = ctl.writes()
    assert [entry["path"].rsplit("/", 1)[-1] for entry in writes] == [CANARY, DEMO_LLM]
    # The canary's update had completed before demo-llm's PUT was sent.
    canary_done = [event["time"] for event in ctl.call("GET", "events")["events"] if event["instance_id"] == CANARY and event["to"] == "RUNNING"]
    assert canary_done and canary_done[0] < writes[1]["time"], (canary_done, writes)
    verified = [entry for entry in run.results if entry["task"] == "Verify the instance before the next one starts"]
    assert [entry["outcome"] for entry in verified] == ["ok", "ok"], run
    again = ansible.playbook(example("rolling_change.yml"))
    assert again.rc == 0, again
    assert len(ctl.writes()) == 2, "a second run has nothing to change"


def test_rolling_change_stops_at_the_first_failed_instance(ansible, ctl):
    ctl.config(fail_next_update={"error_code": "ModelArts.0001", "error_msg": "no capacity"})
    run = ansible.playbook(example("rolling_change.yml"))
    assert run.rc != 0, run
    failed = task(run, "Change the instance and wait until it shows the change")
    assert failed["outcome"] == "failed" and "is FAILED after the update" in failed["result"]["msg"], failed
    # demo-llm was never touched: the roll-out stopped at the canary.
    assert [entry["path"].rsplit("/", 1)[-1] for entry in ctl.writes()] == [CANARY]
    assert ctl.instance(DEMO_LLM)["description"] == "demo instance"


def test_fleet_change_sends_every_update_then_waits_for_all_at_once(ansible, ctl):
    run = ansible.playbook(example("fleet_change.yml"))
    assert run.rc == 0, run
    description = "serves the demo chat (fleet-wide)"
    waited = task(run, "Wait until every instance is steady and shows the change")["result"]
    assert [instance["id"] for instance in waited["instances"]] == [DEMO_LLM, CANARY]
    assert all(shows_the_change(instance, description) for instance in waited["instances"]), waited
    assert waited["failed_instances"] == [] and waited["waited"]["statuses"][-1]["status"] == "all 2 steady"
    log = sorted(ctl.requests(), key=lambda entry: entry["seq"])
    kinds = ["List" if entry["path"].endswith("/instances") else entry["method"] for entry in log]
    # The loop: a read and a PUT per instance, no poll; then the wait: one List request per poll (3 instances).
    assert kinds[:4] == ["GET", "PUT", "GET", "PUT"] and set(kinds[4:]) == {"List"}, kinds
    assert all(entry["query"]["limit"] == ["100"] and entry["query"]["offset"] == ["0"] for entry in log[4:])
    assert task(run, "Fail when an instance ended FAILED")["outcome"] == "ok"
    ctl.clear_log()
    again = ansible.playbook(example("fleet_change.yml"))
    assert again.rc == 0, again
    kinds = ["List" if entry["path"].endswith("/instances") else entry["method"] for entry in ctl.requests()]
    assert sorted(kinds) == ["GET", "GET", "List"], "converged: one read per instance, then one poll: {0}".format(kinds)


def test_fleet_change_fails_naming_an_instance_that_ended_failed(ansible, ctl):
    ctl.config(fail_next_update={"error_code": "ModelArts.0001", "error_msg": "no capacity"})
    run = ansible.playbook(example("fleet_change.yml"))
    assert run.rc != 0, run
    waited = task(run, "Wait until every instance is steady and shows the change")
    assert waited["outcome"] == "ok" and [item["name"] for item in waited["result"]["failed_instances"]] == ["demo-llm"]
    gate = task(run, "Fail when an instance ended FAILED")
    assert gate["outcome"] == "failed" and gate["result"]["msg"] == "FAILED: demo-llm", gate


@pytest.mark.parametrize("name", sorted(TESTED))
def test_examples_take_the_connection_from_the_environment(name):
    """No example carries a credential or an endpoint of its own."""
    with open(example(name), encoding="utf-8") as stream:
        text = stream.read()
    for option in ("auth_token:", "access_key:", "secret_key:", "password:", "endpoint:", "region:"):
        assert option not in text, (name, option)
