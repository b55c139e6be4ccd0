# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabric_service_instance_info through main(): by id, by exact name, filters, paging."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import responses

from ansible_collections.hwcloud.dataarts.plugins.modules import fabric_service_instance_info as module
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import DROP, ENDPOINT, ITEM_URL, options, sent_queries, serve
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.credentials import TOKEN


def args(**over):
    return options({"endpoint": ENDPOINT, "auth_token": TOKEN, "workspace_id": "ws-1"}, **over)


def instance(number=1, **over):
    """A List item as the documentation shows it (with config); the SDK's brief items are tested on their own."""
    item = {
        "id": "inst-{0}".format(number),
        "name": "n{0}".format(number),
        "status": "RUNNING",
        "endpoint_id": "ep-1",
        "source": {"id": "model-1", "version_id": "ver-1"},
        "config": {"model_instance_config": {"resource": {"min": 1, "max": 2, "spec_code": "s"}}},
    }
    item.update(over)
    return item


def test_by_id(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    result = run_module(module, args(instance_id="inst-1"))
    assert result["changed"] is False
    assert result["instances"] == [instance()]
    assert [call.request.url for call in mocked.calls] == [ITEM_URL]


def test_by_id_alias(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    assert run_module(module, args(id="inst-1"))["instances"] == [instance()]


def test_unknown_id_is_an_empty_list(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, status=404, json={"error_code": "common.01000001", "error_msg": "response status exception, code: 404"})
    result = run_module(module, args(instance_id="inst-1"))
    assert result.get("failed") is None
    assert result["instances"] == []
    assert len(mocked.calls) == 1


def test_other_errors_by_id_fail(run_module, mocked):
    mocked.add(
        responses.GET,
        ITEM_URL,
        status=401,
        headers={"X-Request-Id": "rid-401"},
        json={"error_code": "APIG.1002", "error_msg": "Incorrect token or token resolution failed"},
    )
    result = run_module(module, args(instance_id="inst-1"))
    assert result["failed"] is True
    assert "APIG.1002" in result["msg"] and "rid-401" in result["msg"]


def test_exact_name_not_fuzzy(run_module, mocked):
    serve(
        mocked,
        [
            instance(1, name="demo-2"),
            instance(2, name="demo"),
            instance(3, name="my demo"),
            instance(4, name="Demo"),
            instance(5, name="demo", status="DELETING"),
        ],
    )
    result = run_module(module, args(name="demo"))
    assert [item["id"] for item in result["instances"]] == ["inst-2", "inst-5"]
    assert sent_queries(mocked) == [{"name": "demo", "limit": "100", "offset": "0"}]


def test_name_the_list_filter_rejects(run_module, mocked):
    serve(mocked, [instance(1, name="推理 实例"), instance(2, name="other")], reject_name=True)
    result = run_module(module, args(name="推理 实例"))
    assert [item["id"] for item in result["instances"]] == ["inst-1"]
    assert [("name" in query) for query in sent_queries(mocked)] == [True, False]


def test_filters_are_passed_as_query(run_module, mocked):
    serve(mocked, [instance(1)])
    filters = {"endpoint_id": "ep-1", "source_id": "model-1", "version_id": "ver-1", "type": "LLM_MODEL", "visibility": "PRIVATE"}
    result = run_module(module, args(filters=filters))
    assert result["instances"] == [instance(1)]
    assert sent_queries(mocked) == [dict(filters, limit="100", offset="0")]
    assert urlsplit(mocked.calls[0].request.url).query == (
        "endpoint_id=ep-1&limit=100&offset=0&order_by=ASC&sort_by=CREATE_TIME&source_id=model-1&type=LLM_MODEL&version_id=ver-1&visibility=PRIVATE"
    )


def test_unset_filters_are_not_sent(run_module, mocked):
    serve(mocked, [])
    run_module(module, args(filters={"visibility": "PUBLIC"}))
    assert sent_queries(mocked) == [{"visibility": "PUBLIC", "limit": "100", "offset": "0"}]


def test_name_and_filters(run_module, mocked):
    serve(mocked, [instance(1, name="demo")])
    result = run_module(module, args(name="demo", filters={"endpoint_id": "ep-1"}))
    assert len(result["instances"]) == 1
    assert sent_queries(mocked) == [{"name": "demo", "endpoint_id": "ep-1", "limit": "100", "offset": "0"}]


@pytest.mark.parametrize("count, pages", [(0, 1), (100, 2), (101, 2), (200, 2), (230, 3)])
def test_every_page(run_module, mocked, count, pages):
    everything = [instance(number) for number in range(count)]
    serve(mocked, everything)
    result = run_module(module, args())
    assert result["instances"] == everything
    assert [query["offset"] for query in sent_queries(mocked)] == [str(100 * page) for page in range(pages)]


def test_check_mode_reads(run_module, mocked):
    serve(mocked, [instance(1)])
    result = run_module(module, args(), check_mode=True)
    assert result["changed"] is False
    assert result["instances"] == [instance(1)]


@pytest.mark.parametrize(
    "over, text",
    [
        ({"instance_id": "inst-1", "name": "demo"}, "mutually exclusive"),
        ({"instance_id": "inst-1", "filters": {"visibility": "PRIVATE"}}, "mutually exclusive"),
        ({"instance_id": "inst 1"}, "instance_id must be 1 to 36"),
        ({"workspace_id": "ws_1"}, "workspace_id must be 1 to 36"),
        ({"name": "bad/name"}, "name must be 1 to 64"),
        ({"filters": {"endpoint_id": "ep 1"}}, "filters.endpoint_id must be"),
        ({"filters": {"source_id": "m" * 37}}, "filters.source_id must be"),
        ({"filters": {"version_id": ""}}, "filters.version_id must be"),
        ({"filters": {"type": "OTHER"}}, "type must be one of"),
        ({"filters": {"visibility": "private"}}, "visibility must be one of"),
        ({"filters": {"status": "RUNNING"}}, "filters.status"),
        ({"auth_token": DROP}, "no complete authentication method"),
        ({"endpoint": DROP}, "one of endpoint (HW_FABRIC_ENDPOINT) or region (HW_REGION_NAME) is required"),
        ({"api_retries": -1}, "api_retries must be between 0 and 20"),
    ],
)
def test_bad_input_fails_without_any_request(run_module, mocked, over, text):
    result = run_module(module, args(**over))
    assert result["failed"] is True
    assert text in result["msg"]
    assert len(mocked.calls) == 0


def test_region_builds_the_endpoint(run_module, mocked):
    url = "https://fabric-ep.cn-north-4.myhuaweicloud.com/v1/workspaces/ws-1/services/instances"
    mocked.add(responses.GET, url, json={"total": 0, "service_instances": []})
    result = run_module(module, args(endpoint=DROP, region="cn-north-4"))
    assert result["instances"] == []
    assert mocked.calls[0].request.url.startswith(url + "?")


def test_environment_fallbacks(run_module, mocked, monkeypatch):
    monkeypatch.setenv("HW_FABRIC_ENDPOINT", "http://127.0.0.1:8787")
    monkeypatch.setenv("HW_AUTH_TOKEN", TOKEN)
    mocked.add(responses.GET, "http://127.0.0.1:8787/v1/workspaces/ws-1/services/instances/inst-1", json=instance())
    result = run_module(module, {"workspace_id": "ws-1", "instance_id": "inst-1"})
    assert result["instances"] == [instance()]
    assert mocked.calls[0].request.headers["X-Auth-Token"] == TOKEN
