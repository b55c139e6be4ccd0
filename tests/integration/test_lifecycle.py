# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deploy and delete with fabric_service_instance, end to end against the emulator (issue 4).

Ladder style: check mode (nothing on the emulator) -> real run -> rerun ok (one read, no write)
-> check-mode rerun ok. Every step asserts on the emulator's own state and request log.
"""

from __future__ import annotations

import copy
import os

import pytest
from seed import MODULE  # pylint: disable=import-error

HERE = os.path.dirname(os.path.abspath(__file__))
WORKSPACE = "ws-demo"  # the seed's first workspace (conftest.WORKSPACE)
COLLECTION_PATH = "/v1/workspaces/{0}/services/instances".format(WORKSPACE)
PLAYBOOK = os.path.join(HERE, "playbooks", "full_lifecycle.yml")

ENDPOINT_ID = "0b5633ba2b904511ad514346f4d23d4b"
SOURCE = {"id": "3f2a4c1e9b8d4e6f8a7b6c5d4e3f2a1b", "version_id": "7c6b5a4d3e2f41a0b9c8d7e6f5a4b3c2"}
RESOURCE = {"min": 1, "max": 2, "spec_code": "mu.llama3.8b"}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def deploy_args(name):
    return {
        "workspace_id": WORKSPACE,
        "name": name,
        "description": "deployed by the integration tests",
        "source": copy.deepcopy(SOURCE),
        "endpoint_id": ENDPOINT_ID,
        "resource": copy.deepcopy(RESOURCE),
    }


def item_path(instance_id):
    return "{0}/{1}".format(COLLECTION_PATH, instance_id)


def named(ctl, name):
    """The emulator's instances of the workspace with exactly this name."""
    return [item for item in ctl.instances() if item["workspace_id"] == WORKSPACE and item["name"] == name]


def methods(entries):
    return [entry["method"] for entry in entries]


def assert_ok(run, changed):
    assert run.rc == 0, run
    assert run.results and run.results[-1]["outcome"] == "ok", run
    assert run.last["changed"] is changed, run


def assert_failed(run):
    assert run.rc != 0, run
    assert run.results and run.results[-1]["outcome"] == "failed", run
    assert "Traceback" not in run.last.get("msg", ""), run
    return run.last["msg"]


def assert_rerun_reads_once(ctl, run):
    """A rerun of a satisfied task: changed false, exactly one read and no write."""
    assert_ok(run, changed=False)
    log = ctl.requests()
    assert ctl.writes() == [], log
    assert len(log) == 1 and log[0]["method"] == "GET" and log[0]["status"] in (200, 404), log


# ------------------------------------------------------------------ deploy


def test_deploy_ladder(ctl, ansible):
    name = "itest-deploy"
    args = deploy_args(name)
    before = {item["id"] for item in ctl.instances()}

    # 1. Check mode: changed, the predicted instance, nothing written.
    run = ansible.module(MODULE, args, check=True, diff=True)
    assert_ok(run, changed=True)
    predicted = run.last["instance"]
    assert predicted["name"] == name
    assert predicted["endpoint_id"] == ENDPOINT_ID
    assert predicted["source"] == SOURCE
    assert predicted["config"]["model_instance_config"]["resource"] == RESOURCE
    assert not predicted.get("id"), "check mode cannot know the id of an instance it did not create"
    assert run.last["diff"]["before"] == {}
    assert run.last["diff"]["after"]["name"] == name
    assert ctl.writes() == [], ctl.requests()
    assert {item["id"] for item in ctl.instances()} == before
    assert set(methods(ctl.requests())) == {"GET"}

    # 2. Real run: one POST with the documented body, then wait for RUNNING.
    ctl.clear_log()
    run = ansible.module(MODULE, args)
    assert_ok(run, changed=True)
    posts = [entry for entry in ctl.requests() if entry["method"] == "POST"]
    assert len(posts) == 1 and ctl.writes() == posts, ctl.requests()
    post = posts[0]
    assert post["path"] == COLLECTION_PATH and post["status"] == 202
    assert post["body"] == {
        "source": SOURCE,
        "name": name,
        "description": "deployed by the integration tests",
        "endpoint_id": ENDPOINT_ID,
        "config": {"model_instance_config": {"resource": RESOURCE}},
    }
    created = named(ctl, name)
    assert len(created) == 1, created
    instance_id = created[0]["id"]
    assert instance_id not in before
    assert ctl.instance(instance_id)["status"] == "RUNNING"
    returned = run.last["instance"]
    assert returned["id"] == instance_id
    assert returned["status"] == "RUNNING"
    assert returned["config"]["model_instance_config"]["resource"] == RESOURCE
    # The module polled the new instance until it left CREATING.
    assert [entry for entry in ctl.requests() if entry["path"] == item_path(instance_id)], ctl.requests()

    # 3. Rerun: found by its exact name, one list GET, no write.
    ctl.clear_log()
    run = ansible.module(MODULE, args)
    assert_rerun_reads_once(ctl, run)
    assert ctl.requests()[0]["path"] == COLLECTION_PATH
    assert ctl.requests()[0]["query"]["name"] == [name]
    assert run.last["instance"]["id"] == instance_id

    # 4. Check-mode rerun: also ok, also one read.
    ctl.clear_log()
    run = ansible.module(MODULE, args, check=True)
    assert_rerun_reads_once(ctl, run)
    assert run.last["instance"]["id"] == instance_id
    assert len(named(ctl, name)) == 1


DEPLOY_FIELDS = ("source.id", "endpoint_id", "resource.min", "resource.max", "resource.spec_code")


def test_deploy_missing_required_field_fails_before_any_write(ctl, ansible):
    one = deploy_args("itest-missing-one")
    del one["resource"]["spec_code"]
    tasks = [
        {"name": "deploy without resource.spec_code", MODULE: one, "ignore_errors": True},
        {"name": "deploy with nothing but a name", MODULE: {"workspace_id": WORKSPACE, "name": "itest-missing-all"}, "ignore_errors": True},
    ]
    run = ansible.playbook(tasks)
    assert [result["outcome"] for result in run.results] == ["failed", "failed"], run
    first, second = (result["result"]["msg"] for result in run.results)
    assert "resource.spec_code" in first, first
    assert not [field for field in DEPLOY_FIELDS if field != "resource.spec_code" and field in first], first
    assert all(field in second for field in DEPLOY_FIELDS), second
    assert ctl.writes() == [], ctl.requests()
    assert set(methods(ctl.requests())) == {"GET"}, ctl.requests()
    assert not [item for item in ctl.instances() if item["name"].startswith("itest-missing-")]


def test_deploy_ending_failed_reports_the_instance_error(ctl, ansible):
    name = "itest-deploy-fails"
    ctl.config(fail_next_deploy={"error_code": "dataartsfabric.00049999", "error_msg": "No resources of the flavor are left."})
    run = ansible.module(MODULE, deploy_args(name))
    msg = assert_failed(run)
    assert "FAILED" in msg
    assert "dataartsfabric.00049999" in msg
    assert "No resources of the flavor are left." in msg
    created = named(ctl, name)
    assert len(created) == 1 and created[0]["status"] == "FAILED", created
    assert run.last.get("instance", {}).get("id") == created[0]["id"]
    assert methods(ctl.writes()) == ["POST"], ctl.requests()


# ------------------------------------------------------------------ delete


def delete_targets(ctl, mode):
    """Two fresh instances: one deleted by name, the other by id. Returns [(label, instance_id, args)]."""
    names = {by: "itest-delete-{0}-by-{1}".format(mode, by) for by in ("name", "id")}
    added = ctl.add_instances([{"workspace_id": WORKSPACE, "name": names[by], "description": "to be deleted"} for by in ("name", "id")])
    ids = {item["name"]: item["id"] for item in added["instances"]}
    return [
        ("by name", ids[names["name"]], {"workspace_id": WORKSPACE, "name": names["name"], "state": "absent"}),
        ("by id", ids[names["id"]], {"workspace_id": WORKSPACE, "instance_id": ids[names["id"]], "state": "absent"}),
    ]


def delete_tasks(targets):
    return [{"name": "delete " + label, MODULE: args} for label, _instance_id, args in targets]


def assert_each(run, changed):
    assert run.rc == 0, run
    assert [result["outcome"] for result in run.results] == ["ok", "ok"], run
    for result in run.results:
        assert result["result"]["changed"] is changed, result
        assert result["result"]["instance"] == {}, result


def assert_each_read_once(ctl, run, targets):
    """Each already-absent target: changed false, one read (a Show by id, a List by name), no DELETE."""
    assert_each(run, changed=False)
    log = ctl.requests()
    assert ctl.writes() == [], log
    assert len(log) == len(targets) and all(entry["method"] == "GET" for entry in log), log
    by_name, by_id = targets
    assert log[0]["path"] == COLLECTION_PATH and log[0]["query"]["name"] == [by_name[2]["name"]], log
    assert log[1]["path"] == item_path(by_id[1]), log


@pytest.mark.parametrize("mode", ["gone", "deleted"])
def test_delete_ladder(ctl, ansible, mode):
    """By name and by id, with the API either forgetting the instance (404) or keeping it as DELETED."""
    ctl.config(delete_mode=mode)
    targets = delete_targets(ctl, mode)
    tasks = delete_tasks(targets)
    ctl.clear_log()

    # 1. Check mode: changed, no DELETE, the instances untouched.
    run = ansible.playbook(tasks, check=True)
    assert_each(run, changed=True)
    assert ctl.writes() == [], ctl.requests()
    assert all(ctl.instance(instance_id)["status"] == "RUNNING" for _label, instance_id, _args in targets)

    # 2. Real run: one DELETE (202) each, then wait until it is gone (404) / DELETED.
    ctl.clear_log()
    run = ansible.playbook(tasks)
    assert_each(run, changed=True)
    log = ctl.requests()
    assert methods(ctl.writes()) == ["DELETE", "DELETE"], log
    remaining = {item["id"]: item for item in ctl.instances()}
    for _label, instance_id, _args in targets:
        deletes = [entry for entry in log if entry["method"] == "DELETE" and entry["path"] == item_path(instance_id)]
        assert [entry["status"] for entry in deletes] == [202], log
        polls = [entry for entry in log if entry["method"] == "GET" and entry["path"] == item_path(instance_id) and entry["seq"] > deletes[0]["seq"]]
        assert polls, log
        if mode == "gone":
            assert instance_id not in remaining
            assert polls[-1]["status"] == 404, polls
        else:
            assert remaining[instance_id]["status"] == "DELETED"
            assert polls[-1]["status"] == 200, polls

    # 3. Rerun: absent already, one read each, no DELETE.
    ctl.clear_log()
    run = ansible.playbook(tasks)
    assert_each_read_once(ctl, run, targets)

    # 4. Check-mode rerun: the same.
    ctl.clear_log()
    run = ansible.playbook(tasks, check=True)
    assert_each_read_once(ctl, run, targets)


def test_delete_unknown_instance_is_ok_unchanged(ctl, ansible):
    tasks = [
        {"name": "delete an unknown id", MODULE: {"workspace_id": WORKSPACE, "instance_id": UNKNOWN_ID, "state": "absent"}},
        {"name": "delete an unknown name", MODULE: {"workspace_id": WORKSPACE, "name": "itest-never-deployed", "state": "absent"}},
    ]
    count = len(ctl.instances())
    run = ansible.playbook(tasks)
    assert run.rc == 0, run
    assert [result["outcome"] for result in run.results] == ["ok", "ok"], run
    for result in run.results:
        assert result["result"]["changed"] is False, result
        assert result["result"]["instance"] == {}, result
    assert ctl.writes() == [], ctl.requests()
    shows = [entry for entry in ctl.requests() if entry["path"] == item_path(UNKNOWN_ID)]
    assert [entry["status"] for entry in shows] == [404], ctl.requests()
    assert len(ctl.instances()) == count


# ------------------------------------------------------------ full playbook


def test_full_lifecycle_playbook(ctl, ansible):
    name = "itest-lifecycle"
    run = ansible.playbook(PLAYBOOK, extra_vars={"workspace_id": WORKSPACE, "instance_name": name})
    assert run.rc == 0, run
    assert run.results and all(result["outcome"] == "ok" for result in run.results), run
    by_task = {result["task"]: result["result"] for result in run.results}
    checks = [task for task in by_task if task.startswith("Check ")]
    assert len(checks) == 4, "every ansible.builtin.assert task of the playbook ran: {0}".format(list(by_task))
    deployed = by_task["Deploy the instance"]
    assert deployed["changed"] is True and deployed["instance"]["status"] == "RUNNING"
    instance_id = deployed["instance"]["id"]

    # Exactly one POST, one PUT and one DELETE, in that order; every other request was a read.
    writes = ctl.writes()
    assert methods(writes) == ["POST", "PUT", "DELETE"], writes
    post, put, delete = writes
    assert post["path"] == COLLECTION_PATH and post["body"]["name"] == name
    assert put["path"] == item_path(instance_id)
    assert put["body"] == {
        "description": "updated by the lifecycle playbook",
        "config": {"model_instance_config": {"resource": {"min": 1, "max": 3}}},
    }, put
    assert delete["path"] == item_path(instance_id)
    assert all(entry["status"] == 202 for entry in writes), writes
    assert not named(ctl, name)
