# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The comparison (Plan), the PUT body, and the list/find operations of InstancesApi."""

from __future__ import annotations

import copy
import json

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricApiError, FabricInputError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._http import FabricClient
from ansible_collections.hwcloud.dataarts.plugins.module_utils._instance import (
    PAGE_SIZE,
    InstancesApi,
    Plan,
    requested_values,
    shaped,
    shows,
)
from ansible_collections.hwcloud.dataarts.plugins.module_utils._retry import Backoff
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import ENDPOINT, LIST_URL, instance, sent_queries, serve


def resource_of(item):
    return item["config"]["model_instance_config"]["resource"]


# Plan


def test_only_named_fields_are_compared():
    current = instance()
    plan = Plan(current, {"description": "old description"})
    assert not plan.changed
    assert plan.body() == {}
    assert plan.diff() == {"before": {"description": "old description"}, "after": {"description": "old description"}}
    plan.check()


def test_body_holds_exactly_the_differing_updatable_fields():
    plan = Plan(
        instance(),
        {"name": "demo-2", "description": "old description", "resource.max": 4, "resource.min": 2, "source.id": "model-1", "endpoint_id": "ep-1"},
    )
    plan.check()
    assert plan.changed
    assert plan.changes == {"name": "demo-2"}
    assert plan.body() == {"name": "demo-2"}


def test_max_change_travels_with_the_current_min():
    plan = Plan(instance(), {"resource.max": 9})
    plan.check()
    assert plan.body() == {"config": {"model_instance_config": {"resource": {"min": 2, "max": 9}}}}


def test_description_and_max_together():
    plan = Plan(instance(), {"description": "new", "resource.max": 3})
    assert plan.body() == {"description": "new", "config": {"model_instance_config": {"resource": {"min": 2, "max": 3}}}}


@pytest.mark.parametrize(
    "option, wanted, current_repr",
    [
        ("resource.min", 1, "2"),
        ("source.id", "model-2", "'model-1'"),
        ("source.version_id", "ver-2", "'ver-1'"),
        ("resource.spec_code", "mu.other", "'mu.llama3.8b'"),
        ("endpoint_id", "ep-2", "'ep-1'"),
    ],
)
def test_refusals_name_the_field_with_current_and_requested(option, wanted, current_repr):
    plan = Plan(instance(), {option: wanted, "description": "new"})
    with pytest.raises(FabricInputError) as caught:
        plan.check()
    text = str(caught.value)
    assert "{0} (current {1}, requested {2!r})".format(option, current_repr, wanted) in text
    assert "description" not in text


def test_several_refusals_are_listed_together():
    plan = Plan(instance(), {"source.id": "model-2", "endpoint_id": "ep-2", "resource.min": 1})
    with pytest.raises(FabricInputError) as caught:
        plan.check()
    text = str(caught.value)
    for part in (
        "source.id (current 'model-1', requested 'model-2')",
        "endpoint_id (current 'ep-1', requested 'ep-2')",
        "resource.min (current 2, requested 1)",
    ):
        assert part in text


def test_refusal_of_a_field_the_instance_lacks():
    current = instance()
    del current["source"]
    with pytest.raises(FabricInputError) as caught:
        Plan(current, {"source.version_id": "ver-2"}).check()
    assert "source.version_id (current None, requested 'ver-2')" in str(caught.value)


def test_equal_non_updatable_values_are_not_refused():
    plan = Plan(
        instance(),
        {"source.id": "model-1", "source.version_id": "ver-1", "resource.min": 2, "resource.spec_code": "mu.llama3.8b", "endpoint_id": "ep-1"},
    )
    plan.check()
    assert not plan.changed
    assert plan.refused == []


def test_max_below_the_current_min_is_refused():
    with pytest.raises(FabricInputError) as caught:
        Plan(instance(), {"resource.max": 1}).check()
    assert "resource.max 1" in str(caught.value) and "resource.min 2" in str(caught.value)
    Plan(instance(), {"resource.max": 2}).check()  # equal to min is fine


def test_missing_description_equals_empty():
    current = instance()
    del current["description"]
    assert not Plan(current, {"description": ""}).changed
    assert not Plan(instance(description=None), {"description": ""}).changed
    plan = Plan(current, {"description": "now set"})
    assert plan.body() == {"description": "now set"}
    assert plan.diff()["before"] == {"description": ""}


def test_falsy_values_are_not_equal_to_each_other():
    assert Plan(instance(description="0"), {"description": ""}).changed


def test_diff_shapes():
    plan = Plan(instance(), {"description": "new", "resource.max": 6, "source.id": "model-1"})
    diff = plan.diff()
    assert diff["after"]["description"] == "new"
    assert diff["before"]["description"] == "old description"
    assert diff["after"]["config"] == {"model_instance_config": {"resource": {"max": 6}}}
    assert diff["before"]["config"] == {"model_instance_config": {"resource": {"max": 4}}}
    assert diff["before"]["source"] == diff["after"]["source"] == {"id": "model-1"}
    assert set(diff["before"]) == set(diff["after"]) == {"description", "config", "source"}


def test_predicted_applies_the_changes_to_a_copy():
    current = instance()
    pristine = copy.deepcopy(current)
    predicted = Plan(current, {"name": "demo-2", "resource.max": 7, "endpoint_id": "ep-1"}).predicted()
    assert current == pristine
    assert predicted["name"] == "demo-2"
    assert resource_of(predicted) == {"min": 2, "max": 7, "spec_code": "mu.llama3.8b"}
    expected = copy.deepcopy(pristine)
    expected["name"] = "demo-2"
    resource_of(expected)["max"] = 7
    assert predicted == expected


def test_shows():
    current = instance()
    assert shows(current, {})
    assert shows(current, {"description": "old description", "resource.max": 4, "source.version_id": "ver-1"})
    assert not shows(current, {"resource.max": 5})
    assert not shows(current, {"name": "Demo"})
    del current["description"]
    assert shows(current, {"description": ""})
    assert not shows({"status": "RUNNING"}, {"resource.max": 4})


def test_requested_values_and_shaped():
    params = {
        "name": "demo",
        "description": "",
        "endpoint_id": None,
        "source": {"id": "m", "version_id": None},
        "resource": {"min": None, "max": 3, "spec_code": "s"},
        "workspace_id": "ws-1",
        "state": "present",
    }
    requested = requested_values(params)
    assert requested == {"name": "demo", "description": "", "source.id": "m", "resource.max": 3, "resource.spec_code": "s"}
    assert shaped(requested) == {
        "name": "demo",
        "description": "",
        "source": {"id": "m"},
        "config": {"model_instance_config": {"resource": {"max": 3, "spec_code": "s"}}},
    }
    assert requested_values({"name": None, "source": None, "resource": None}) == {}


# Property: the body holds exactly the differing updatable fields, and applying it converges.

TEXT = st.text(alphabet="abAB -_.", min_size=0, max_size=6)
IDS = st.sampled_from(["m-1", "m-2", "v-1", "v-2", "ep-1", "ep-2"])


@st.composite
def current_instances(draw):
    low = draw(st.integers(1, 5))
    item = {
        "id": "inst-1",
        "status": "RUNNING",
        "name": draw(TEXT.filter(bool)),
        "endpoint_id": draw(IDS),
        "source": {"id": draw(IDS), "version_id": draw(IDS)},
        "config": {
            "model_instance_config": {"resource": {"min": low, "max": draw(st.integers(low, 12)), "spec_code": draw(st.sampled_from(["s1", "s2"]))}}
        },
    }
    description = draw(st.one_of(st.none(), TEXT))
    if description is not None:
        item["description"] = description
    return item


@st.composite
def requests_for(draw, current):
    requested = {}
    if draw(st.booleans()):
        requested["name"] = draw(TEXT.filter(bool))
    if draw(st.booleans()):
        requested["description"] = draw(TEXT)
    if draw(st.booleans()):
        requested["resource.max"] = draw(st.integers(1, 12))
    # Non-updatable fields only as they are (a different value is a refusal, tested elsewhere).
    for option, value in (
        ("source.id", current["source"]["id"]),
        ("source.version_id", current["source"]["version_id"]),
        ("endpoint_id", current["endpoint_id"]),
        ("resource.min", resource_of(current)["min"]),
        ("resource.spec_code", resource_of(current)["spec_code"]),
    ):
        if draw(st.booleans()):
            requested[option] = value
    return requested


def apply(current, body):
    """What the API does with a PUT body: a deep merge."""
    result = copy.deepcopy(current)

    def merge(target, patch):
        for key, value in patch.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                merge(target[key], value)
            else:
                target[key] = copy.deepcopy(value)

    merge(result, body)
    return result


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_property_body_is_exactly_the_difference_and_converges(data):
    current = data.draw(current_instances())
    requested = data.draw(requests_for(current))
    plan = Plan(current, requested)
    assert plan.refused == []
    current_min = resource_of(current)["min"]
    if requested.get("resource.max", current_min) < current_min:
        with pytest.raises(FabricInputError):
            plan.check()
        return
    plan.check()

    expected = {}
    if "name" in requested and requested["name"] != current["name"]:
        expected["name"] = requested["name"]
    if "description" in requested and requested["description"] != current.get("description", ""):
        expected["description"] = requested["description"]
    if "resource.max" in requested and requested["resource.max"] != resource_of(current)["max"]:
        expected["config"] = {"model_instance_config": {"resource": {"min": current_min, "max": requested["resource.max"]}}}
    body = plan.body()
    assert body == expected
    assert plan.changed == bool(expected)

    after = apply(current, body)
    assert plan.predicted() == after
    assert shows(after, requested)
    again = Plan(after, requested)
    again.check()
    assert not again.changed
    assert again.body() == {}


# InstancesApi


def items(count, prefix="inst"):
    return [{"id": "{0}-{1:04d}".format(prefix, number), "name": "n{0}".format(number), "status": "RUNNING"} for number in range(count)]


@pytest.fixture
def api(fake_time):
    client = FabricClient(ENDPOINT, retries=1, clock=fake_time.clock, sleep=fake_time.sleep, backoff=Backoff(rng=lambda: 0.0))
    return InstancesApi(client, "ws-1")


def test_list_pages_until_total(mocked, api):
    everything = items(250)
    serve(mocked, everything)
    assert api.list() == everything
    assert PAGE_SIZE == 100
    assert sent_queries(mocked) == [{"limit": "100", "offset": "0"}, {"limit": "100", "offset": "100"}, {"limit": "100", "offset": "200"}]


# Exactly 100 takes a second request: a full first page whose total is its own length may be a total that counts
# only the page.
@pytest.mark.parametrize("count, requests_made", [(0, 1), (1, 1), (100, 2), (101, 2), (200, 2), (250, 3)])
def test_list_stops_at_total(mocked, api, count, requests_made):
    serve(mocked, items(count))
    assert len(api.list()) == count
    assert len(mocked.calls) == requests_made


def test_list_stops_on_a_short_page_even_if_total_says_more(mocked, api):
    serve(mocked, items(150), total=1000)
    assert len(api.list()) == 150
    assert len(mocked.calls) == 2


def test_list_passes_the_query(mocked, api):
    serve(mocked, items(3))
    api.list([("endpoint_id", "ep-1"), ("visibility", "PRIVATE")])
    assert sent_queries(mocked) == [{"endpoint_id": "ep-1", "visibility": "PRIVATE", "limit": "100", "offset": "0"}]


def test_find_by_name_exact_match_across_pages(mocked, api):
    everything = items(120)
    everything[3]["name"] = "demo-2"
    everything[50]["name"] = "Demo"
    everything[90]["name"] = "demo "
    everything[110]["name"] = "demo"
    everything[115]["name"] = "my demo"
    serve(mocked, everything)
    found = api.find_by_name("demo")
    assert [item["id"] for item in found] == ["inst-0110"]
    assert all(query["name"] == "demo" for query in sent_queries(mocked))


def test_find_by_name_leaves_out_deleting_and_deleted(mocked, api):
    everything = [
        {"id": "a", "name": "demo", "status": "DELETING"},
        {"id": "b", "name": "demo", "status": "DELETED"},
        {"id": "c", "name": "demo", "status": "FAILED"},
        {"id": "d", "name": "demo", "status": "CREATING"},
    ]
    serve(mocked, everything)
    assert [item["id"] for item in api.find_by_name("demo")] == ["c", "d"]
    assert [item["id"] for item in api.list_named("demo")] == ["a", "b", "c", "d"]


def test_find_by_name_falls_back_to_an_unfiltered_list_on_400(mocked, api):
    everything = items(130)
    everything[120]["name"] = "推理 实例.v1"
    serve(mocked, everything, reject_name=True)
    found = api.find_by_name("推理 实例.v1")
    assert [item["id"] for item in found] == ["inst-0120"]
    queries = sent_queries(mocked)
    assert queries[0]["name"] == "推理 实例.v1"
    assert all("name" not in query for query in queries[1:])
    assert len(queries) == 3


def test_list_named_fallback_keeps_the_other_filters(mocked, api):
    serve(mocked, items(2), reject_name=True)
    api.list_named("n 1", [("endpoint_id", "ep-1")])
    assert sent_queries(mocked)[1] == {"endpoint_id": "ep-1", "limit": "100", "offset": "0"}


def test_a_400_for_a_name_the_filter_accepts_is_raised_not_worked_around(mocked, api):
    mocked.add(responses.GET, LIST_URL, status=400, json={"error_code": "dataartsfabric.00010003", "error_msg": "Workspace not exist."})
    with pytest.raises(FabricApiError) as caught:
        api.find_by_name("demo-llm")
    assert caught.value.error_code == "dataartsfabric.00010003"
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("status", [401, 403, 404])
def test_find_by_name_other_errors_are_raised(mocked, api, status):
    mocked.add(responses.GET, LIST_URL, status=status, json={"error_code": "x.1", "error_msg": "no"})
    with pytest.raises(FabricApiError) as caught:
        api.find_by_name("demo")
    assert caught.value.status == status
    assert len(mocked.calls) == 1


def test_show_or_none(mocked, api):
    mocked.add(responses.GET, LIST_URL + "/inst-1", json=instance())
    mocked.add(responses.GET, LIST_URL + "/gone", status=404, json={"error_code": "common.01000001", "error_msg": "code: 404"})
    mocked.add(responses.GET, LIST_URL + "/denied", status=403, json={"error_code": 403, "error_msg": "denied"})
    assert api.show_or_none("inst-1")["id"] == "inst-1"
    assert api.show_or_none("gone") is None
    with pytest.raises(FabricApiError):
        api.show_or_none("denied")


def test_writes(mocked, api):
    mocked.add(responses.PUT, LIST_URL + "/inst-1", status=202, json={"id": "inst-1"})
    mocked.add(responses.POST, LIST_URL, status=202, json={"id": "inst-9"})
    mocked.add(responses.DELETE, LIST_URL + "/inst-1", status=202, body="")
    api.update("inst-1", {"description": "d"}, None)
    assert api.deploy({"name": "x"}, None) == "inst-9"
    api.delete("inst-1", None)
    assert [(call.request.method, call.request.url) for call in mocked.calls] == [
        ("PUT", LIST_URL + "/inst-1"),
        ("POST", LIST_URL),
        ("DELETE", LIST_URL + "/inst-1"),
    ]
    assert json.loads(mocked.calls[0].request.body) == {"description": "d"}
