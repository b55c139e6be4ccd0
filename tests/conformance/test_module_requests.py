# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's modules really send parses into the SDK's request models.

The built collection runs in real ``ansible-playbook`` (the integration harness, tests/integration/conftest.py)
against an emulator of its own: a deploy with every field, updates of name, description and resource.max by id
and by name, an info query with every filter, a delete. The emulator's request log (GET /_emulator/requests) then
holds every body and query; each body must be exactly an SDK request model (no field the model lacks, every value
of the model's type, nothing lost in the SDK's own round trip), and each List query only the SDK's parameters.
"""

from __future__ import annotations

import importlib.util
import os

import pytest
from conftest import ENDPOINT_ID, ROOT, SOURCE, WORKSPACE  # pylint: disable=import-error
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkdataartsfabricep.v1 import model as sdk_model
from sdk_models import body_problems, json_fields  # pylint: disable=import-error

from fabric_emulator.server import Emulator


def _integration_harness():
    """tests/integration/conftest.py under a name of its own (a second module called conftest would clash)."""
    spec = importlib.util.spec_from_file_location("integration_harness", os.path.join(ROOT, "tests", "integration", "conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HARNESS = _integration_harness()
MODULE = "hwcloud.dataarts.fabric_service_instance"
INFO = "hwcloud.dataarts.fabric_service_instance_info"
COLLECTION_PATH = "/v1/workspaces/%s/services/instances" % WORKSPACE
RESOURCE = {"min": 1, "max": 2, "spec_code": "mu.llama3.8b"}
# The PUT bodies the module is expected to send for the two updates (what Huawei's client sends for the same change).
UPDATE_BY_ID = sdk_model.UpdateServiceInstanceInput(
    name="conformance-renamed",
    description="renamed by the conformance suite",
    config=sdk_model.UpdateServiceInstanceConfig(
        model_instance_config=sdk_model.UpdateModelServiceInstanceConfig(resource=sdk_model.BaseDemand(min=1, max=3))
    ),
)
UPDATE_BY_NAME = sdk_model.UpdateServiceInstanceInput(
    description="updated by name",
    config=sdk_model.UpdateServiceInstanceConfig(
        model_instance_config=sdk_model.UpdateModelServiceInstanceConfig(resource=sdk_model.BaseDemand(min=1, max=4))
    ),
)
DEPLOY = sdk_model.ServiceInstanceInput(
    source=sdk_model.SourceRef(**SOURCE),
    name="conformance-deployed",
    description="deployed by the conformance suite",
    endpoint_id=ENDPOINT_ID,
    config=sdk_model.ServiceInstanceConfig(model_instance_config=sdk_model.ModelServiceInstanceConfig(resource=sdk_model.ResourceDemand(**RESOURCE))),
)
LIST_QUERY_TYPES = {
    sdk_model.ListServicesInstancesRequest.attribute_map[attr]: type_name
    for attr, type_name in sdk_model.ListServicesInstancesRequest.openapi_types.items()
    if attr != "workspace_id"
}

TASKS = [
    {
        "name": "deploy with every field",
        MODULE: {
            "workspace_id": WORKSPACE,
            "name": "conformance-deployed",
            "description": "deployed by the conformance suite",
            "source": SOURCE,
            "endpoint_id": ENDPOINT_ID,
            "resource": RESOURCE,
            "wait_timeout": 60,
        },
        "register": "deployed",
    },
    {
        "name": "update name, description and resource.max by id",
        MODULE: {
            "workspace_id": WORKSPACE,
            "instance_id": "{{ deployed.instance.id }}",
            "name": "conformance-renamed",
            "description": "renamed by the conformance suite",
            "resource": {"max": 3},
            "wait_timeout": 60,
        },
    },
    {
        "name": "update description and resource.max by name",
        MODULE: {
            "workspace_id": WORKSPACE,
            "name": "conformance-renamed",
            "description": "updated by name",
            "resource": {"max": 4},
            "wait_timeout": 60,
        },
    },
    {
        "name": "info with every filter",
        INFO: {
            "workspace_id": WORKSPACE,
            "name": "conformance",
            "filters": {
                "endpoint_id": ENDPOINT_ID,
                "source_id": SOURCE["id"],
                "version_id": SOURCE["version_id"],
                "type": "LLM_MODEL",
                "visibility": "PRIVATE",
            },
        },
    },
    {"name": "delete by id", MODULE: {"workspace_id": WORKSPACE, "instance_id": "{{ deployed.instance.id }}", "state": "absent", "wait_timeout": 60}},
]


@pytest.fixture(scope="module")
def module_log(tmp_path_factory):
    """Run the tasks once; the emulator's request log of the Fabric API (bodies and queries included)."""
    if not os.path.isdir(os.path.join(HARNESS.COLLECTIONS, "ansible_collections", "hwcloud", "dataarts")):
        raise RuntimeError("the built collection is not installed in {0}: run `make build` (make conformance does)".format(HARNESS.COLLECTIONS))
    server = Emulator(seed=HARNESS.SEED, host="127.0.0.1", port=0, tokens=[HARNESS.TOKEN], update_seconds=0.3, deploy_seconds=0.3, delete_seconds=0.3)
    server.start()
    try:
        run = HARNESS.Ansible(server.url, tmp_path_factory.mktemp("module-requests")).playbook(TASKS)
        assert run.rc == 0 and [result["outcome"] for result in run.results] == ["ok"] * len(TASKS), run
        return [entry for entry in HARNESS.Control(server.url).requests() if entry["status"] and entry["status"] < 300]
    finally:
        server.stop()


def test_deploy_body_is_the_sdk_model(module_log):
    bodies = [entry["body"] for entry in module_log if entry["method"] == "POST"]
    assert len(bodies) == 1, module_log
    assert body_problems(bodies[0], "ServiceInstanceInput") == []
    assert bodies[0] == sanitize_for_serialization(DEPLOY)


def test_update_bodies_are_the_sdk_model(module_log):
    bodies = [entry["body"] for entry in module_log if entry["method"] == "PUT"]
    assert bodies == [sanitize_for_serialization(UPDATE_BY_ID), sanitize_for_serialization(UPDATE_BY_NAME)], bodies
    for body in bodies:
        assert body_problems(body, "UpdateServiceInstanceInput") == []


def test_bodies_survive_the_sdk_round_trip(module_log, sdk):
    """Deserialized into the SDK's model and serialized again, each body comes back whole: no field was unknown."""
    for entry in module_log:
        if entry["method"] in ("POST", "PUT"):
            type_name = "ServiceInstanceInput" if entry["method"] == "POST" else "UpdateServiceInstanceInput"
            assert sanitize_for_serialization(sdk.deserialize(entry["body"], type_name)) == entry["body"]


def test_list_queries_are_sdk_parameters(module_log):
    queries = [entry["query"] for entry in module_log if entry["method"] == "GET" and entry["path"] == COLLECTION_PATH]
    assert any("name" in query for query in queries) and any("visibility" in query for query in queries), queries
    for query in queries:
        assert set(query) <= set(LIST_QUERY_TYPES), sorted(set(query) - set(LIST_QUERY_TYPES))
        for key, values in query.items():
            assert len(values) == 1, (key, values)  # the SDK's model holds one value per parameter
            if LIST_QUERY_TYPES[key] == "int":
                assert values[0].isdigit(), (key, values)
    assert set(json_fields("ListServicesInstancesRequest")) >= {"limit", "offset", "name", "sort_by", "order_by"}


def test_deletes_and_shows_carry_no_body(module_log):
    others = [entry for entry in module_log if entry["method"] in ("GET", "DELETE")]
    assert any(entry["method"] == "DELETE" for entry in others)
    assert all(entry["body"] is None for entry in others), others
