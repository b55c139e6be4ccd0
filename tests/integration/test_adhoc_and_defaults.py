# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabric_service_instance from an ad-hoc `ansible` command, and through group module_defaults."""

from __future__ import annotations

import os

from seed import BASE, CANARY_ID, MODULE  # pylint: disable=import-error

PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks")


def test_adhoc_run_changes_then_converges(ansible, ctl):
    args = "workspace_id=ws-demo instance_id={0} description='changed by an ad-hoc run'".format(CANARY_ID)
    run = ansible.adhoc(MODULE, args)
    assert run.rc == 0, run
    assert run.last["changed"] is True
    assert run.last["instance"]["description"] == "changed by an ad-hoc run"
    assert "CHANGED" in run.stdout
    log = ctl.requests()
    puts = [entry for entry in log if entry["method"] == "PUT"]
    assert len(puts) == 1 and puts[0]["body"] == {"description": "changed by an ad-hoc run"}, log
    assert ctl.writes() == puts
    assert ctl.instance(CANARY_ID)["description"] == "changed by an ad-hoc run"

    ctl.clear_log()
    run = ansible.adhoc(MODULE, args)
    assert run.rc == 0, run
    assert run.last["changed"] is False
    assert "SUCCESS" in run.stdout
    log = ctl.requests()
    assert [(entry["method"], entry["path"]) for entry in log] == [("GET", BASE + "/" + CANARY_ID)], log


def test_module_defaults_of_the_action_group(ansible, ctl, emulator):
    token = ctl.call("GET", "config")["tokens"][0]
    run = ansible.playbook(
        os.path.join(PLAYBOOKS, "module_defaults.yml"),
        connection=False,
        extra_vars={"fabric_endpoint": emulator.url, "fabric_auth_token": token, "fabric_instance_id": CANARY_ID},
    )
    assert run.rc == 0, run
    results = {entry["task"]: entry for entry in run.results}
    assert all(entry["outcome"] == "ok" for entry in run.results), run
    updated = results["Update the description, with no connection option in the task"]["result"]
    assert updated["changed"] is True
    if "invocation" in updated:  # ansible-core 2.21 no longer returns the module's arguments
        assert updated["invocation"]["module_args"]["endpoint"] == emulator.url
    assert results["Run it again, which changes nothing"]["result"]["changed"] is False
    read = results["Read the instance back by its exact name"]["result"]
    assert [instance["id"] for instance in read["instances"]] == [CANARY_ID]
    assert ctl.instance(CANARY_ID)["description"] == "set through module_defaults"
    log = ctl.requests()
    assert log and all("x-auth-token" in entry["headers"] and entry["status"] < 300 for entry in log), log
    assert len([entry for entry in log if entry["method"] == "PUT"]) == 1
    assert token not in run.stdout and token not in run.stderr
