# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei's generated client against the emulator, under every reading switch (tests/conformance/README.md).

List (every instance, filters, pages), Show, Update, Deploy and Delete through ``DataArtsFabricEpClient`` signed
with AK/SK; every answer deserialized into the SDK's response models and compared with the emulator's stored
instance, field by field, as the SDK types it. Where the SDK cannot read what a reading sends, the test states
exactly what the SDK does instead.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from conftest import ENDPOINT_ID, FAILED_ID, OTHER_ENDPOINT_ID, OTHER_SOURCE, SOURCE, WORKSPACE  # pylint: disable=import-error
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkdataartsfabricep.v1 import model as sdk_model
from reading_cases import CASES, Reading, case_id  # pylint: disable=import-error
from sdk_models import as_datetime, body_problems, enum_values, instant, json_fields, sdk_parses_time, unknown_fields  # pylint: disable=import-error

DEMO_ID = "b935d0ef-f4eb-4b95-aff1-9d33ae9f57b6"
BRIEF = "ServiceInstanceBriefInfo"
DETAIL = "ShowServiceInstanceDetailResponse"
# The fields of the newest documentation's List items that the SDK's ServiceInstanceBriefInfo lacks, as the
# emulator sends them when List items are "full".
FULL_ITEM_EXTRAS = ("config", "error_code", "error_msg")
# ShowServiceInstanceDetailResponse fields the emulator never sends (no documentation page shows them either).
SHOW_FIELDS_NOT_SENT = ("update_user", "url")


@pytest.fixture(params=CASES, ids=case_id)
def reading(request, emu):
    return Reading(request.param, emu.server.configure(**request.param))


# ----------------------------------------------------------------- helpers
def body_of(response):
    """The JSON the emulator answered (the SDK keeps the raw bytes), or None for an empty body."""
    return json.loads(response.raw_content) if response.raw_content else None


def list_instances(sdk, **query):
    return sdk.call("list_services_instances", sdk_model.ListServicesInstancesRequest(workspace_id=WORKSPACE, **query))


def show(sdk, instance_id):
    return sdk.call("show_service_instance_detail", sdk_model.ShowServiceInstanceDetailRequest(workspace_id=WORKSPACE, instance_id=instance_id))


def check_time(sdk, value, sent, stored, reading):
    """A timestamp: the same instant as stored, in the reading's form, and what the SDK made of it."""
    assert instant(sent) == instant(stored), (sent, stored)
    if reading.timestamps == "millis_z":
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", sent), sent
    elif reading.timestamps == "offset":
        assert sent.endswith("+0800"), sent
    if sdk_parses_time(sent):
        assert isinstance(value, datetime.datetime) and value == as_datetime(sent), (value, sent)
        assert value.utcoffset() == datetime.timedelta(0)
    else:
        # FINDING: the SDK keeps the string (and warns): "<time>+0800" + "Z" is no timestamp to dateutil.
        assert value == sent, (value, sent)
        assert any(sent in warning for warning in sdk.conversion_warnings), sdk.conversion_warnings


def check_number(value, sent, stored, reading):
    """An integer field: sent as the reading says, an int in the SDK's model either way (it coerces strings)."""
    assert sent == (str(stored) if reading.numbers == "string" else stored), (sent, stored)
    assert type(value) is int and value == stored, (value, stored)  # pylint: disable=unidiomatic-typecheck


def check_fields_known(sent, type_name, reading):
    """Every field sent is one the SDK model defines, except the documentation-only fields of full List items."""
    unknown = sorted(unknown_fields(sent, type_name))
    if type_name == BRIEF and reading.list_items == "full":
        assert unknown == sorted(FULL_ITEM_EXTRAS), unknown
        assert tuple(sent) == json_fields(BRIEF) + FULL_ITEM_EXTRAS
    elif type_name == BRIEF:
        assert unknown == [] and tuple(sent) == json_fields(BRIEF), sent
    else:
        assert unknown == [], unknown
        assert set(json_fields(type_name)) - set(sent) == set(SHOW_FIELDS_NOT_SENT), sorted(sent)


def check_instance(sdk, instance, sent, stored, reading, type_name):
    """An instance as the SDK model holds it, against the answer's JSON and the emulator's stored instance."""
    assert isinstance(instance, getattr(sdk_model, type_name)), type(instance)
    check_fields_known(sent, type_name, reading)
    for key in ("id", "name", "description", "endpoint_id", "visibility"):
        assert isinstance(getattr(instance, key), str) and getattr(instance, key) == stored[key], key
    assert instance.status == stored["status"] and instance.status in enum_values("StatusEnum")
    assert instance.type == stored["type"] and instance.type in enum_values("ServiceType")
    assert isinstance(instance.source, sdk_model.SourceRef) and instance.source.to_dict() == stored["source"]
    assert isinstance(instance.create_user, sdk_model.User) and instance.create_user.to_dict() == stored["create_user"]
    check_number(instance.duration, sent["duration"], stored["duration"], reading)
    for key in ("create_time", "update_time"):
        check_time(sdk, getattr(instance, key), sent[key], stored[key], reading)
    if type_name == BRIEF:
        return
    resource = instance.config.model_instance_config.resource
    assert isinstance(resource, sdk_model.ResourceDemand)
    stored_resource = stored["config"]["model_instance_config"]["resource"]
    sent_resource = sent["config"]["model_instance_config"]["resource"]
    for key in ("min", "max"):
        check_number(getattr(resource, key), sent_resource[key], stored_resource[key], reading)
    assert resource.spec_code == stored_resource["spec_code"]
    assert (instance.error_code, instance.error_msg) == (stored["error_code"], stored["error_msg"])
    assert instance.status_code == 200


def check_total(response, sent, matching, reading):
    """List's total: sent as the reading says, and what the SDK's int field holds."""
    if reading.list_total == "exact":
        assert sent["total"] == matching and response.total == matching
    elif reading.list_total == "missing":
        assert "total" not in sent and response.total is None
    elif reading.list_total == "string":
        # The SDK coerces the numeric string into its int field.
        assert sent["total"] == str(matching) and response.total == matching and type(response.total) is int  # pylint: disable=unidiomatic-typecheck
    else:
        assert reading.list_total == "wrong", reading
        assert type(sent["total"]) is int and response.total == sent["total"]  # pylint: disable=unidiomatic-typecheck
        assert matching == 0 or sent["total"] != matching, (sent["total"], matching)


def check_list(sdk, emu, reading, response, expected_ids, matching=None):
    """A List answer: its items in order, each as the SDK models it, and its total."""
    sent = body_of(response)
    assert isinstance(response, sdk_model.ListServicesInstancesResponse) and response.status_code == 200
    assert [item.id for item in response.service_instances] == expected_ids == [item["id"] for item in sent["service_instances"]]
    stored = {item["id"]: item for item in emu.workspace_instances()}
    for instance, sent_item in zip(response.service_instances, sent["service_instances"]):
        check_instance(sdk, instance, sent_item, stored[instance.id], reading, BRIEF)
    check_total(response, sent, len(expected_ids) if matching is None else matching, reading)


def newest_first(instances):
    return [item["id"] for item in sorted(instances, key=lambda item: instant(item["create_time"]), reverse=True)]


def last_body(emu, method):
    return emu.requests(method)[-1]["body"]


# ------------------------------------------------------------------- List
def test_list_every_instance(sdk, emu, reading):
    stored = emu.workspace_instances()
    response = list_instances(sdk, limit=100)
    check_list(sdk, emu, reading, response, newest_first(stored))


@pytest.mark.parametrize(
    "query, keep",
    [
        ({"name": "demo"}, lambda item: "demo" in item["name"]),
        ({"id": FAILED_ID}, lambda item: item["id"] == FAILED_ID),
        ({"endpoint_id": OTHER_ENDPOINT_ID}, lambda item: item["endpoint_id"] == OTHER_ENDPOINT_ID),
        ({"source_id": OTHER_SOURCE["id"]}, lambda item: item["source"]["id"] == OTHER_SOURCE["id"]),
        ({"version_id": SOURCE["version_id"]}, lambda item: item["source"]["version_id"] == SOURCE["version_id"]),
        ({"visibility": "PUBLIC"}, lambda item: item["visibility"] == "PUBLIC"),
        ({"type": "LLM_MODEL", "name": "llm"}, lambda item: item["type"] == "LLM_MODEL" and "llm" in item["name"]),
        ({"name": "no-such-instance"}, lambda item: False),
    ],
    ids=["name", "id", "endpoint_id", "source_id", "version_id", "visibility", "type+name", "no-match"],
)
def test_list_filters(sdk, emu, reading, query, keep):
    expected = newest_first([item for item in emu.workspace_instances() if keep(item)])
    check_list(sdk, emu, reading, list_instances(sdk, limit=100, **query), expected)


def test_list_order(sdk, emu, reading):
    stored = emu.workspace_instances()
    oldest_first = newest_first(stored)[::-1]
    check_list(sdk, emu, reading, list_instances(sdk, sort_by="CREATE_TIME", order_by="ASC"), oldest_first[:10], len(stored))
    by_duration = sorted(stored, key=lambda item: item["duration"], reverse=True)
    response = list_instances(sdk, sort_by="DURATION", order_by="DESC", limit=2)
    assert [item.duration for item in response.service_instances] == [item["duration"] for item in by_duration[:2]]


def test_list_pages(sdk, emu, reading):
    """Pages of two, read until a short page (total may be missing or wrong): every instance exactly once."""
    stored = emu.workspace_instances()
    seen = []
    for offset in range(0, 100, 2):
        response = list_instances(sdk, limit=2, offset=offset)
        expected = newest_first(stored)[offset : offset + 2]
        check_list(sdk, emu, reading, response, expected, len(stored))
        seen += [item.id for item in response.service_instances]
        if len(response.service_instances) < 2:
            break
    assert seen == newest_first(stored) and len(set(seen)) == len(stored) == 7


# ------------------------------------------------------------------- Show
def test_show_every_instance(sdk, emu, reading):
    for stored in emu.workspace_instances():
        response = show(sdk, stored["id"])
        check_instance(sdk, response, body_of(response), stored, reading, DETAIL)


def test_show_unknown_instance_is_a_client_error(sdk, emu, reading):
    with pytest.raises(ClientRequestException) as caught:
        show(sdk, "00000000-0000-4000-8000-000000000000")
    assert caught.value.status_code == 404 and caught.value.error_code == "common.01000001"
    assert caught.value.request_id, "the SDK reads the request id from X-Request-Id"


# ----------------------------------------------------------------- Update
def test_update_name_description_and_max(sdk, emu, reading):
    before = show(sdk, DEMO_ID)
    before_sent, before_stored = body_of(before), emu.truth(DEMO_ID)
    resource = before_stored["config"]["model_instance_config"]["resource"]
    body = sdk_model.UpdateServiceInstanceInput(
        name="demo-llm-renamed",
        description="renamed by the Huawei client",
        config=sdk_model.UpdateServiceInstanceConfig(
            model_instance_config=sdk_model.UpdateModelServiceInstanceConfig(
                resource=sdk_model.BaseDemand(min=resource["min"], max=resource["max"] + 1)
            )
        ),
    )
    response = sdk.call("update_service_instance", sdk_model.UpdateServiceInstanceRequest(workspace_id=WORKSPACE, instance_id=DEMO_ID, body=body))

    assert isinstance(response, sdk_model.UpdateServiceInstanceResponse) and response.status_code == 202
    assert isinstance(response.x_request_id, str) and response.x_request_id, "X-request-id is a response header of the model"
    if reading.write_body == "json":
        assert body_of(response) == {"id": DEMO_ID} and response.id == DEMO_ID
    else:
        assert response.raw_content == b"" and response.id is None  # the SDK takes an empty 202 without complaint
    sent_body = last_body(emu, "PUT")
    assert sent_body == sanitize_for_serialization(body) and body_problems(sent_body, "UpdateServiceInstanceInput") == []

    for _read in range(reading.stale_reads):  # eventual consistency: the instance as it was before the PUT
        assert body_of(show(sdk, DEMO_ID)) == before_sent
    updating = show(sdk, DEMO_ID)
    assert updating.status == "UPDATING" and updating.name == "demo-llm"  # applied when the update completes
    moved = instant(body_of(updating)["update_time"]) > instant(before_sent["update_time"])
    assert moved is (reading.update_time_on == "accept"), (body_of(updating)["update_time"], before_sent["update_time"])
    check_instance(sdk, updating, body_of(updating), emu.truth(DEMO_ID), reading, DETAIL)

    emu.complete_operations()
    after = show(sdk, DEMO_ID)
    stored = emu.truth(DEMO_ID)
    check_instance(sdk, after, body_of(after), stored, reading, DETAIL)
    assert (after.status, after.name, after.description) == ("RUNNING", "demo-llm-renamed", "renamed by the Huawei client")
    assert (after.config.model_instance_config.resource.min, after.config.model_instance_config.resource.max) == (
        resource["min"],
        resource["max"] + 1,
    )
    assert instant(body_of(after)["update_time"]) > instant(before_sent["update_time"])  # it moves on completion either way
    assert instant(body_of(after)["update_time"]) >= instant(body_of(updating)["update_time"])


# ----------------------------------------------------------------- Deploy
def test_deploy_with_every_field(sdk, emu, reading):
    body = sdk_model.ServiceInstanceInput(
        source=sdk_model.SourceRef(**SOURCE),
        name="deployed by the SDK",
        description="deployed by the Huawei client",
        endpoint_id=ENDPOINT_ID,
        config=sdk_model.ServiceInstanceConfig(
            model_instance_config=sdk_model.ModelServiceInstanceConfig(resource=sdk_model.ResourceDemand(min=1, max=3, spec_code="mu.llama3.8b"))
        ),
    )
    response = sdk.call("deploy_service_instance", sdk_model.DeployServiceInstanceRequest(workspace_id=WORKSPACE, body=body))

    assert isinstance(response, sdk_model.DeployServiceInstanceResponse) and response.status_code == 202
    assert body_of(response) == {"id": response.id} and isinstance(response.id, str) and emu.truth(response.id) is not None
    sent_body = last_body(emu, "POST")
    assert sent_body == sanitize_for_serialization(body) and body_problems(sent_body, "ServiceInstanceInput") == []

    creating = show(sdk, response.id)
    assert creating.status == "CREATING"
    check_instance(sdk, creating, body_of(creating), emu.truth(response.id), reading, DETAIL)
    emu.complete_operations()
    running = show(sdk, response.id)
    check_instance(sdk, running, body_of(running), emu.truth(response.id), reading, DETAIL)
    assert (running.status, running.name, running.endpoint_id) == ("RUNNING", "deployed by the SDK", ENDPOINT_ID)
    assert running.config.model_instance_config.resource.to_dict() == {"min": 1, "max": 3, "spec_code": "mu.llama3.8b"}
    check_list(sdk, emu, reading, list_instances(sdk, name="SDK"), [response.id])


# ----------------------------------------------------------------- Delete
def test_delete_failed_instance(sdk, emu, reading):
    before = show(sdk, FAILED_ID)
    assert (before.status, before.error_code) == ("FAILED", "dataartsfabric.00040001")
    response = sdk.call("delete_service_instance", sdk_model.DeleteServiceInstanceRequest(workspace_id=WORKSPACE, instance_id=FAILED_ID))

    assert isinstance(response, sdk_model.DeleteServiceInstanceResponse) and response.status_code == 202
    if reading.write_body == "json":
        # FINDING: the model has no field at all; the emulator's {"id": ...} is dropped by the SDK.
        assert body_of(response) == {"id": FAILED_ID} and unknown_fields(body_of(response), "DeleteServiceInstanceResponse") == ["id"]
    else:
        assert response.raw_content == b""
    assert sdk_model.DeleteServiceInstanceResponse.openapi_types == {}  # nothing of any answer body is kept

    for _read in range(reading.stale_reads_after_delete):
        assert body_of(show(sdk, FAILED_ID)) == body_of(before)
    deleting = show(sdk, FAILED_ID)
    assert deleting.status == "DELETING"
    check_instance(sdk, deleting, body_of(deleting), emu.truth(FAILED_ID), reading, DETAIL)

    emu.complete_operations()
    remaining = [item["id"] for item in emu.workspace_instances()]
    if reading.delete_mode == "gone":
        with pytest.raises(ClientRequestException) as caught:
            show(sdk, FAILED_ID)
        assert caught.value.status_code == 404
        assert FAILED_ID not in remaining
    else:
        deleted = show(sdk, FAILED_ID)
        assert deleted.status == "DELETED"
        check_instance(sdk, deleted, body_of(deleted), emu.truth(FAILED_ID), reading, DETAIL)
    check_list(sdk, emu, reading, list_instances(sdk, limit=100), newest_first(emu.workspace_instances()))
