# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabric_service_instance_info against the emulator's own state (issue 4).

By id (an unknown id is an empty list), by exact name (the API's filter is fuzzy, and rejects names
with spaces), by the List API's filters, and every page merged with the fewest requests.
"""

from __future__ import annotations

import math

import pytest
from seed import DEMO_ID, INFO, without_stable_order  # pylint: disable=import-error

WORKSPACE = "ws-demo"  # the seed's first workspace (conftest.WORKSPACE)
OTHER_WORKSPACE = "ws-other"
COLLECTION_PATH = "/v1/workspaces/{0}/services/instances".format(WORKSPACE)
PAGE_SIZE = 100  # the List API's largest page

# From fabric_emulator/seed.json.
SPACED_NAME = "Demo Chat Assistant"
ENDPOINT_ID = "0b5633ba2b904511ad514346f4d23d4b"
OTHER_ENDPOINT_ID = "7d1f3b5a9c2e4d6f8a0b1c3d5e7f9a2b"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
# Paging and the stable order the module always asks for (oldest first): not filters.
PAGING = ("limit", "offset")


def public(instance):
    """The emulator's internal view of an instance, as the API shows it."""
    return {key: value for key, value in instance.items() if key not in ("workspace_id", "_emulator")}


def by_id(instances):
    ids = [item["id"] for item in instances]
    assert len(ids) == len(set(ids)), "an instance is listed twice: {0}".format(ids)
    return {item["id"]: item for item in instances}


def expected(ctl, **criteria):
    """The emulator's instances of the workspace matching every criterion (a dotted path for nested ones)."""
    found = []
    for item in ctl.instances():
        if item["workspace_id"] != WORKSPACE:
            continue
        if all(_get(item, key) == value for key, value in criteria.items()):
            found.append(public(item))
    return by_id(found)


def _get(item, dotted):
    for key in dotted.split("."):
        item = (item or {}).get(key)
    return item


def list_gets(ctl):
    return [entry for entry in ctl.requests() if entry["method"] == "GET" and entry["path"] == COLLECTION_PATH]


def filters_of(entry):
    """The filter part of a List request's query (paging and the stable order left out), first values only."""
    return without_stable_order({key: values[0] for key, values in entry["query"].items() if key not in PAGING}, entry)


def add_neighbours(ctl):
    """Instances that a sloppy filter would let through: other endpoints, visibilities, workspaces."""
    ctl.add_instances(
        [
            {"workspace_id": WORKSPACE, "name": "itest-other-endpoint", "endpoint_id": OTHER_ENDPOINT_ID},
            {"workspace_id": WORKSPACE, "name": "itest-public-on-endpoint", "endpoint_id": ENDPOINT_ID, "visibility": "PUBLIC"},
            {"workspace_id": WORKSPACE, "name": "itest-pgsql", "endpoint_id": ENDPOINT_ID, "type": "PGSQL_SERVICE"},
            {"workspace_id": OTHER_WORKSPACE, "name": "demo-llm", "endpoint_id": ENDPOINT_ID},
            {"workspace_id": OTHER_WORKSPACE, "name": SPACED_NAME, "endpoint_id": ENDPOINT_ID, "visibility": "PUBLIC"},
        ]
    )


QUERIES = [
    ("by id", {"instance_id": DEMO_ID}),
    ("by unknown id", {"instance_id": UNKNOWN_ID}),
    ("by exact name", {"name": "demo-llm"}),
    ("by a name with spaces", {"name": SPACED_NAME}),
    ("by endpoint", {"filters": {"endpoint_id": ENDPOINT_ID}}),
    ("public ones", {"filters": {"visibility": "PUBLIC"}}),
    ("private LLMs on the endpoint", {"filters": {"endpoint_id": ENDPOINT_ID, "visibility": "PRIVATE", "type": "LLM_MODEL"}}),
]


@pytest.mark.parametrize("check", [False, True], ids=["normal", "check_mode"])
def test_info_queries_match_the_emulator(ctl, ansible, check):
    add_neighbours(ctl)
    ctl.clear_log()
    run = ansible.playbook([dict({"name": label, INFO: dict(args, workspace_id=WORKSPACE)}) for label, args in QUERIES], check=check)
    assert run.rc == 0, run
    results = {result["task"]: result for result in run.results}
    assert sorted(results) == sorted(label for label, _args in QUERIES), run
    for result in results.values():
        assert result["outcome"] == "ok", result
        assert result["result"]["changed"] is False, result
    instances = {label: by_id(result["result"]["instances"]) for label, result in results.items()}

    # By id: exactly the emulator's instance; an unknown id is an empty list, not a failure.
    assert instances["by id"] == {DEMO_ID: public(ctl.instance(DEMO_ID))}
    assert instances["by unknown id"] == {}

    # By exact name: the API's filter also matches demo-llm-canary; only demo-llm comes back.
    fuzzy = [item for item in ctl.instances() if item["workspace_id"] == WORKSPACE and "demo-llm" in item["name"]]
    assert len(fuzzy) == 2, fuzzy
    assert instances["by exact name"] == expected(ctl, name="demo-llm")
    assert list(instances["by exact name"]) == [DEMO_ID]

    # A name with spaces: the API rejects it as a filter (400); the module lists and matches itself.
    assert instances["by a name with spaces"] == expected(ctl, name=SPACED_NAME)
    assert len(instances["by a name with spaces"]) == 1

    # Filters: the same instances as the emulator's own state says, nothing from the other workspace.
    assert instances["by endpoint"] == expected(ctl, endpoint_id=ENDPOINT_ID)
    assert len(instances["by endpoint"]) == 4
    assert instances["public ones"] == expected(ctl, visibility="PUBLIC")
    assert len(instances["public ones"]) == 2
    assert instances["private LLMs on the endpoint"] == expected(ctl, endpoint_id=ENDPOINT_ID, visibility="PRIVATE", type="LLM_MODEL")
    assert len(instances["private LLMs on the endpoint"]) == 2

    # The request log: read-only, by id a Show, the filters sent to the List API, one page each.
    log = ctl.requests()
    assert ctl.writes() == [], log
    shows = [(entry["path"].rsplit("/", 1)[-1], entry["status"]) for entry in log if entry["path"] != COLLECTION_PATH]
    assert shows == [(DEMO_ID, 200), (UNKNOWN_ID, 404)], log
    lists = [(filters_of(entry), entry["status"]) for entry in list_gets(ctl)]
    assert lists == [
        ({"name": "demo-llm"}, 200),
        ({"name": SPACED_NAME}, 400),
        ({}, 200),
        ({"endpoint_id": ENDPOINT_ID}, 200),
        ({"visibility": "PUBLIC"}, 200),
        ({"endpoint_id": ENDPOINT_ID, "visibility": "PRIVATE", "type": "LLM_MODEL"}, 200),
    ], log
    assert all(entry["query"]["limit"] == [str(PAGE_SIZE)] and entry["query"]["offset"] == ["0"] for entry in list_gets(ctl)), log


def test_info_merges_every_page_with_the_fewest_requests(ctl, ansible):
    bulk = [
        {"workspace_id": WORKSPACE, "name": "itest-bulk-{0:03d}".format(index), "endpoint_id": ENDPOINT_ID if index % 2 else OTHER_ENDPOINT_ID}
        for index in range(230)
    ]
    bulk += [{"workspace_id": OTHER_WORKSPACE, "name": "itest-elsewhere-{0}".format(index)} for index in range(7)]
    ctl.add_instances(bulk)
    everything = expected(ctl)
    on_endpoint = expected(ctl, endpoint_id=ENDPOINT_ID)
    assert len(everything) == 233 and len(on_endpoint) == 117
    ctl.clear_log()

    run = ansible.playbook(
        [
            {"name": "every instance", INFO: {"workspace_id": WORKSPACE}},
            {"name": "every instance on the endpoint", INFO: {"workspace_id": WORKSPACE, "filters": {"endpoint_id": ENDPOINT_ID}}},
            {"name": "a name with spaces among them", INFO: {"workspace_id": WORKSPACE, "name": SPACED_NAME}},
        ]
    )
    assert run.rc == 0, run
    results = {result["task"]: result["result"] for result in run.results}
    assert by_id(results["every instance"]["instances"]) == everything
    assert by_id(results["every instance on the endpoint"]["instances"]) == on_endpoint
    assert by_id(results["a name with spaces among them"]["instances"]) == expected(ctl, name=SPACED_NAME)
    assert len(results["a name with spaces among them"]["instances"]) == 1

    # ceil(N / 100) List requests per listing, pages of 100, in order; nothing else.
    log = ctl.requests()
    assert len(list_gets(ctl)) == len(log), log
    pages = [(filters_of(entry), entry["query"]["limit"][0], entry["query"]["offset"][0], entry["status"]) for entry in log]
    every = [({}, "100", str(offset), 200) for offset in range(0, len(everything), PAGE_SIZE)]
    endpoint = [({"endpoint_id": ENDPOINT_ID}, "100", str(offset), 200) for offset in range(0, len(on_endpoint), PAGE_SIZE)]
    assert len(every) == math.ceil(233 / PAGE_SIZE) == 3
    assert len(endpoint) == math.ceil(117 / PAGE_SIZE) == 2
    assert pages == every + endpoint + [({"name": SPACED_NAME}, "100", "0", 400)] + every, pages
