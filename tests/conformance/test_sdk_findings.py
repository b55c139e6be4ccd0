# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the official SDK does with values at the edges of what the documentation allows (README "Findings").

Each test pins down one behaviour of huaweicloudsdkcore / huaweicloudsdkdataartsfabricep 3.1.219, through the
real client against the emulator where the emulator can send the value, else through the client's own
deserializer (the path every answer takes). A change in the SDK shows up here first.
"""

from __future__ import annotations

import datetime
import decimal
import sys

import pytest
from conftest import ACCESS_KEY, FAILED_ID, PROJECT_ID, WORKSPACE, Sdk  # pylint: disable=import-error
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdataartsfabricep.v1 import model as sdk_model
from sdk_models import enum_values, json_fields  # pylint: disable=import-error

from fabric_emulator.readings import BRIEF_FIELDS
from fabric_emulator.state import STATUSES

DOC_ONLY_STATUSES = ("INACTIVE", "TRIAL_ENDED")


def show(sdk, instance_id):
    return sdk.call("show_service_instance_detail", sdk_model.ShowServiceInstanceDetailRequest(workspace_id=WORKSPACE, instance_id=instance_id))


def test_the_models_have_the_documented_fields():
    """The shapes the README records (a new SDK release that changes them fails here)."""
    assert json_fields("ServiceInstanceBriefInfo") == BRIEF_FIELDS  # the emulator's "brief" List items
    assert json_fields("ShowServiceInstanceDetailResponse") == json_fields("ServiceInstanceBriefInfo") + (
        "update_user",
        "url",
        "config",
        "error_code",
        "error_msg",
    )
    assert json_fields("ListServicesInstancesResponse") == ("total", "service_instances")
    assert json_fields("UpdateServiceInstanceInput") == ("source", "name", "description", "config")
    assert json_fields("BaseDemand") == ("min", "max")
    assert json_fields("ServiceInstanceInput") == ("source", "name", "description", "endpoint_id", "config")
    assert json_fields("ResourceDemand") == ("min", "max", "spec_code")
    assert json_fields("DeployServiceInstanceResponse") == ("id",)
    assert json_fields("UpdateServiceInstanceResponse") == ("id", "X-request-id")
    assert json_fields("DeleteServiceInstanceResponse") == ()
    assert set(enum_values("StatusEnum")) == set(STATUSES) - set(DOC_ONLY_STATUSES)
    assert enum_values("ServiceType") == ["LLM_MODEL", "PGSQL_SERVICE"]


@pytest.mark.parametrize("status", DOC_ONLY_STATUSES)
def test_a_documentation_only_status_is_lost(sdk, emu, status):
    """INACTIVE and TRIAL_ENDED are in the documentation, not in the SDK's StatusEnum: the SDK hands back an empty
    StatusEnum object, without a warning; the status string is gone (the raw answer still has it)."""
    with emu.server.state.lock:
        emu.server.state.patch_instance(emu.server.state.instances[FAILED_ID], {"status": status})
    response = show(sdk, FAILED_ID)
    assert isinstance(response.status, sdk_model.StatusEnum) and not isinstance(response.status, str)
    assert status.encode() in response.raw_content and sdk.conversion_warnings == []
    item = [
        item
        for item in sdk.call("list_services_instances", sdk_model.ListServicesInstancesRequest(workspace_id=WORKSPACE)).service_instances
        if item.id == FAILED_ID
    ]
    assert len(item) == 1 and isinstance(item[0].status, sdk_model.StatusEnum)


def test_numbers_as_the_sdk_reads_them(sdk):
    """int fields go through int(): a numeric string is coerced, a decimal is cut, a decimal string is an error."""
    assert sdk.deserialize({"min": "2", "max": "10", "spec_code": "x"}, "ResourceDemand").to_dict() == {"min": 2, "max": 10, "spec_code": "x"}
    assert sdk.deserialize({"min": decimal.Decimal("2.9"), "max": 3}, "BaseDemand").min == 2  # JSON 2.9 is read as Decimal, then truncated
    with pytest.raises(ValueError):
        sdk.deserialize({"min": "2.0", "max": 3}, "BaseDemand")  # escapes the SDK call as a bare ValueError


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-05-30T12:24:30.401Z", datetime.datetime(2023, 5, 30, 12, 24, 30, 401000, tzinfo=datetime.timezone.utc)),
        ("2023-05-30T12:24:30Z", datetime.datetime(2023, 5, 30, 12, 24, 30, tzinfo=datetime.timezone.utc)),
        ("2023-05-30T12:24:30.123456789Z", datetime.datetime(2023, 5, 30, 12, 24, 30, 123456, tzinfo=datetime.timezone.utc)),  # cut, not rounded
        ("2023-05-30T12:24:30.401", datetime.datetime(2023, 5, 30, 12, 24, 30, 401000, tzinfo=datetime.timezone.utc)),  # no zone: taken as UTC
        ("2023-05-30T20:24:30.401+0800", "2023-05-30T20:24:30.401+0800"),  # kept as a string, with a warning
        ("2023-05-30T20:24:30.401+08:00", "2023-05-30T20:24:30.401+08:00"),
        ("2023-05-30T12:24:30.401+00:00", "2023-05-30T12:24:30.401+00:00"),
    ],
)
def test_timestamps_as_the_sdk_reads_them(sdk, text, expected):
    value = sdk.deserialize(text, "datetime")
    assert value == expected and type(value) is type(expected)  # pylint: disable=unidiomatic-typecheck


def test_without_dateutil_every_timestamp_stays_a_string(sdk, monkeypatch):
    """python-dateutil is no dependency of huaweicloudsdkcore: without it no timestamp becomes a datetime."""
    monkeypatch.setitem(sys.modules, "dateutil.parser", None)
    assert sdk.deserialize("2023-05-30T12:24:30.401Z", "datetime") == "2023-05-30T12:24:30.401Z"


def test_empty_bodies_where_the_models_want_fields(sdk):
    """An empty 2xx body gives a model with every field None: the SDK itself never fails on one."""
    assert sdk.deserialize("", "DeployServiceInstanceResponse").id is None
    assert sdk.deserialize("", "ListServicesInstancesResponse").service_instances is None


def test_the_emulator_checks_the_sdk_signature(emu, server):
    """A client with the wrong secret key is refused (401 APIG.0301): the signature is really verified."""
    wrong = Sdk(server.server.url)
    wrong.client.with_credentials(BasicCredentials(ACCESS_KEY, "not-the-secret-key-0000000000000000", PROJECT_ID))
    with pytest.raises(ClientRequestException) as caught:
        show(wrong, FAILED_ID)
    assert caught.value.status_code == 401 and caught.value.error_code == "APIG.0301", caught.value
