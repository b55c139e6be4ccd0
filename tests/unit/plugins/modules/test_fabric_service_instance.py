# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabric_service_instance end to end through main(), with the API stubbed and the clock faked."""

from __future__ import annotations

import json
import secrets
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _reconcile
from ansible_collections.hwcloud.dataarts.plugins.modules import fabric_service_instance as module
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import DROP, ENDPOINT, ITEM_URL, LIST_URL, instance, options
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.credentials import TOKEN

T1 = "2026-11-28T09:00:05.000Z"
T2 = "2026-11-28T09:00:09.000Z"


def args(**over):
    return options({"endpoint": ENDPOINT, "auth_token": TOKEN, "workspace_id": "ws-1", "instance_id": "inst-1"}, **over)


def with_max(item, value):
    item["config"]["model_instance_config"]["resource"]["max"] = value
    return item


def methods(mocked):
    return [call.request.method for call in mocked.calls]


def put_bodies(mocked):
    return [json.loads(call.request.body) for call in mocked.calls if call.request.method == "PUT"]


def listing(mocked, items, url=LIST_URL):
    mocked.add(responses.GET, url, json={"total": len(items), "service_instances": items})


# Update


def test_converged_is_one_get(run_module, mocked, fake_time):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    result = run_module(module, args(description="old description", resource={"max": 4, "min": 2}, source={"id": "model-1"}, endpoint_id="ep-1"))
    assert result["changed"] is False
    assert result["instance"] == instance()
    assert "diff" not in result
    assert methods(mocked) == ["GET"]
    assert mocked.calls[0].request.url == ITEM_URL
    assert mocked.calls[0].request.headers["X-Auth-Token"] == TOKEN
    assert fake_time.sleeps == []


def test_change_puts_only_the_difference_and_waits_for_it(run_module, mocked, fake_time):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(status="UPDATING", update_time=T1))
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new description", update_time=T1))
    result = run_module(module, args(description="new description", resource={"max": 4}))
    assert result["changed"] is True
    assert result["instance"] == instance(description="new description", update_time=T1)
    assert methods(mocked) == ["GET", "PUT", "GET", "GET"]
    assert put_bodies(mocked) == [{"description": "new description"}]
    assert mocked.calls[1].request.headers["X-Auth-Token"] == TOKEN
    # The first poll right after the write, then about a second.
    assert fake_time.sleeps == [1.0]


def test_max_change_sends_the_current_min(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=with_max(instance(update_time=T1), 6))
    result = run_module(module, args(resource={"max": 6}))
    assert result["changed"] is True
    assert put_bodies(mocked) == [{"config": {"model_instance_config": {"resource": {"min": 2, "max": 6}}}}]


def test_rename_by_id(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(name="demo v2", update_time=T1))
    result = run_module(module, args(name="demo v2", description="old description"))
    assert result["changed"] is True
    assert put_bodies(mocked) == [{"name": "demo v2"}]


def test_stale_read_does_not_end_the_wait(run_module, mocked, fake_time):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    # Right after the PUT the API still shows the old values as RUNNING, with the old update_time.
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T1))
    result = run_module(module, args(description="new"))
    assert result.get("failed") is None
    assert result["instance"]["description"] == "new"
    assert methods(mocked) == ["GET", "PUT", "GET", "GET", "GET"]
    assert fake_time.sleeps == [1.0, 1.0]


def test_failed_after_update(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    failed = instance(status="FAILED", update_time=T1, error_code="dataartsfabric.00010195", error_msg="Inference features are not enabled.")
    mocked.add(responses.GET, ITEM_URL, json=failed)
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T2))
    result = run_module(module, args(description="new"))
    assert result["failed"] is True
    assert "FAILED" in result["msg"]
    assert "dataartsfabric.00010195" in result["msg"]
    assert "Inference features are not enabled." in result["msg"]
    assert result["instance"] == failed
    assert methods(mocked) == ["GET", "PUT", "GET"]


def test_an_instance_failed_before_is_not_judged_on_a_stale_read(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance(status="FAILED"))
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(status="FAILED"))
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T1))
    result = run_module(module, args(description="new"))
    assert result.get("failed") is None
    assert result["instance"]["status"] == "RUNNING"
    assert methods(mocked) == ["GET", "PUT", "GET", "GET"]


def test_another_writer_fails_fast(run_module, mocked, fake_time):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(description="written by someone else", update_time=T2))
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T2))
    result = run_module(module, args(description="new"))
    assert result["failed"] is True
    assert "another writer" in result["msg"]
    assert "written by someone else" in result["msg"]
    assert methods(mocked) == ["GET", "PUT", "GET"]
    assert fake_time.sleeps == []


def test_wait_timeout_is_honoured(run_module, mocked, fake_time):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(status="UPDATING", update_time=T1))
    result = run_module(module, args(description="new", wait_timeout=7))
    assert result["failed"] is True
    assert "timed out after 7s" in result["msg"]
    assert "UPDATING" in result["msg"]
    assert fake_time.elapsed == pytest.approx(7)
    assert methods(mocked).count("PUT") == 1


def test_wait_false_returns_the_prediction(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    result = run_module(module, args(description="new", resource={"max": 5}, wait=False))
    assert result["changed"] is True
    assert result["instance"] == with_max(instance(description="new"), 5)
    assert methods(mocked) == ["GET", "PUT"]


def test_put_with_unknown_outcome_that_took_effect_is_not_resent(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=502, body="<html><body>502 Bad Gateway</body></html>")
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T1))
    result = run_module(module, args(description="new"))
    assert result["changed"] is True
    assert methods(mocked) == ["GET", "PUT", "GET", "GET"]


def test_put_with_unknown_outcome_that_did_not_take_effect_is_resent_once(run_module, mocked, fake_time):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=504, json={"error_code": "common.00000504", "error_msg": "gateway timeout"})
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    for _read in range(_reconcile.CONFIRM_READS):
        mocked.add(responses.GET, ITEM_URL, json=instance())  # the confirmation: not applied, read after read
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T1))
    result = run_module(module, args(description="new"))
    assert result["changed"] is True
    assert methods(mocked) == ["GET", "PUT"] + ["GET"] * _reconcile.CONFIRM_READS + ["PUT", "GET"]
    assert put_bodies(mocked) == [{"description": "new"}, {"description": "new"}]
    assert fake_time.sleeps.count(_reconcile.CONFIRM_PAUSE) >= _reconcile.CONFIRM_READS - 1


def test_a_stale_read_after_a_lost_answer_does_not_get_the_update_applied_twice(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=504, json={"error_code": "common.00000504", "error_msg": "gateway timeout"})
    mocked.add(responses.GET, ITEM_URL, json=instance())  # a stale read: the instance as it was before the PUT
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T1))
    result = run_module(module, args(description="new"))
    assert result["changed"] is True
    assert methods(mocked).count("PUT") == 1


# Check mode and diff mode


def test_check_mode_makes_no_write_and_predicts(run_module, mocked, fake_time):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    result = run_module(module, args(description="new", resource={"max": 8}), check_mode=True)
    assert result["changed"] is True
    assert result["instance"] == with_max(instance(description="new"), 8)
    assert methods(mocked) == ["GET"]
    assert fake_time.sleeps == []


def test_check_mode_converged(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    result = run_module(module, args(description="old description"), check_mode=True)
    assert result["changed"] is False
    assert methods(mocked) == ["GET"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_diff_mode(run_module, mocked, check_mode):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=with_max(instance(description="new", update_time=T1), 6))
    result = run_module(module, args(description="new", resource={"max": 6}, source={"id": "model-1"}), check_mode=check_mode, diff=True)
    assert result["diff"]["before"] == {
        "description": "old description",
        "source": {"id": "model-1"},
        "config": {"model_instance_config": {"resource": {"max": 4}}},
    }
    assert result["diff"]["after"] == {
        "description": "new",
        "source": {"id": "model-1"},
        "config": {"model_instance_config": {"resource": {"max": 6}}},
    }
    assert result["diff"]["after"]["description"] == "new"
    assert methods(mocked).count("PUT") == (0 if check_mode else 1)


def test_transitional_instance_is_waited_out_first(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance(status="UPDATING"))
    mocked.add(responses.GET, ITEM_URL, json=instance(status="RUNNING", update_time=T1))
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T2))
    result = run_module(module, args(description="new"))
    assert result["changed"] is True
    assert methods(mocked) == ["GET", "GET", "PUT", "GET"]


def test_transitional_instance_without_wait_fails(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance(status="CREATING"))
    result = run_module(module, args(description="new", wait=False))
    assert result["failed"] is True
    assert "CREATING" in result["msg"] and "wait" in result["msg"]
    assert methods(mocked) == ["GET"]


def test_transitional_instance_in_check_mode_warns(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance(status="UPDATING"))
    result = run_module(module, args(description="new"), check_mode=True)
    assert result["changed"] is True
    assert any("UPDATING" in text and "check mode" in text for text in result["warning_texts"])
    assert methods(mocked) == ["GET"]


# Refusals


@pytest.mark.parametrize(
    "over, text",
    [
        ({"resource": {"min": 1}}, "resource.min (current 2, requested 1)"),
        ({"source": {"id": "model-2"}}, "source.id (current 'model-1', requested 'model-2')"),
        ({"source": {"id": "model-1", "version_id": "ver-2"}}, "source.version_id (current 'ver-1', requested 'ver-2')"),
        ({"resource": {"spec_code": "mu.other"}}, "resource.spec_code (current 'mu.llama3.8b', requested 'mu.other')"),
        ({"endpoint_id": "ep-2"}, "endpoint_id (current 'ep-1', requested 'ep-2')"),
        ({"resource": {"max": 1}}, "resource.max 1 is below the instance's current resource.min 2"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True])
def test_refusals_make_no_write(run_module, mocked, over, text, check_mode):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    result = run_module(module, args(description="new", **over), check_mode=check_mode)
    assert result["failed"] is True
    assert text in result["msg"]
    assert methods(mocked) == ["GET"]


# Bad input: a clear message and not a single request


FORBIDDEN = "!<>=&'\""


@pytest.mark.parametrize(
    "over, text",
    [
        ({"workspace_id": "ws_1"}, "workspace_id must be 1 to 36"),
        ({"workspace_id": "w" * 37}, "workspace_id must be 1 to 36"),
        ({"workspace_id": ""}, "workspace_id must be 1 to 36"),
        ({"instance_id": "inst 1"}, "instance_id must be 1 to 36"),
        ({"instance_id": "i" * 37}, "instance_id must be 1 to 36"),
        ({"instance_id": ""}, "instance_id must be 1 to 36"),
        ({"id": "inst/1", "instance_id": DROP}, "instance_id must be 1 to 36"),
        ({"name": "bad/name"}, "name must be 1 to 64"),
        ({"name": "n" * 65}, "name must be 1 to 64"),
        ({"name": ""}, "name must be 1 to 64"),
        ({"name": "bad!name"}, "name must be 1 to 64"),
        ({"description": "d" * 1025}, "description must be at most 1024 characters, got 1025"),
        ({"source": {"id": "model 1"}}, "source.id must be"),
        ({"source": {"id": ""}}, "source.id must be"),
        ({"source": {"id": "m" * 37}}, "source.id must be"),
        ({"source": {"id": "model-1", "version_id": "v 1"}}, "source.version_id must be"),
        ({"source": {"version_id": "ver-1"}}, "missing required arguments: id"),
        ({"resource": {"min": 0}}, "resource.min must be at least 1"),
        ({"resource": {"max": 0}}, "resource.max must be between 1 and 1000"),
        ({"resource": {"max": 1001}}, "resource.max must be between 1 and 1000"),
        ({"resource": {"min": 3, "max": 2}}, "resource.max (2) must not be below resource.min (3)"),
        ({"resource": {"spec_code": "bad code"}}, "resource.spec_code must be"),
        ({"resource": {"spec_code": ""}}, "resource.spec_code must be"),
        ({"endpoint_id": "ep 1"}, "endpoint_id must be 1 to 36"),
        ({"endpoint_id": ""}, "endpoint_id must be 1 to 36"),
        ({"wait_timeout": 0}, "wait_timeout must be between 1 and 86400"),
        ({"wait_timeout": 86401}, "wait_timeout must be between 1 and 86400"),
        ({"resource": {"maxx": 3}}, "resource.maxx"),
        ({"colour": "blue"}, "Unsupported parameters"),
        ({"resource": {"max": "many"}}, "int"),
        ({"resource": "four"}, "dict"),
        ({"wait": "maybe"}, "bool"),
        ({"wait_timeout": "soon"}, "int"),
        ({"state": "gone"}, "state must be one of"),
        ({"instance_id": DROP}, "one of the following is required: instance_id, name"),
        ({"api_timeout": 0}, "api_timeout must be between 1 and 3600"),
        ({"api_retries": 21}, "api_retries must be between 0 and 20"),
        ({"endpoint": "ftp://fabric.test"}, "endpoint must be an http:// or https:// URL"),
        ({"endpoint": DROP}, "one of endpoint (HW_FABRIC_ENDPOINT) or region (HW_REGION_NAME) is required"),
        ({"endpoint": "", "region": "Not A Region"}, "region must be a region name"),
        ({"auth_token": DROP}, "no complete authentication method"),
        ({"auth_token": ""}, "no complete authentication method"),
        ({"auth_token": DROP, "access_key": "AKONLY"}, "given: access_key"),
        ({"auth_token": DROP, "user_name": "alice", "domain_name": "acme"}, "given: domain_name, user_name"),
    ]
    + [({"description": "a{0}b".format(char)}, "description must not contain") for char in FORBIDDEN],
    ids=lambda value: repr(value)[:40] if isinstance(value, dict) else None,
)
def test_bad_input_fails_without_any_request(run_module, mocked, over, text):
    result = run_module(module, args(description="new", **over) if "description" not in over else args(**over))
    assert result["failed"] is True
    assert text in result["msg"]
    assert "Traceback" not in json.dumps(result)
    assert len(mocked.calls) == 0


def test_bad_input_in_check_mode_fails_without_any_request(run_module, mocked):
    result = run_module(module, args(resource={"min": 5, "max": 1}), check_mode=True)
    assert result["failed"] is True
    assert len(mocked.calls) == 0


def test_empty_description_is_allowed(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance(description=None))
    result = run_module(module, args(description=""))
    assert result["changed"] is False
    assert methods(mocked) == ["GET"]


# Finding the instance


def test_two_instances_with_the_name_fail_listing_both_ids(run_module, mocked):
    listing(mocked, [instance(id="inst-a", name="demo"), instance(id="inst-b", name="demo"), instance(id="inst-c", name="demo-2")])
    result = run_module(module, args(instance_id=DROP, name="demo", description="new"))
    assert result["failed"] is True
    assert "inst-a" in result["msg"] and "inst-b" in result["msg"]
    assert "inst-c" not in result["msg"]
    assert methods(mocked) == ["GET"]
    assert dict(parse_qsl(urlsplit(mocked.calls[0].request.url).query))["name"] == "demo"


def test_found_by_exact_name_among_fuzzy_matches(run_module, mocked):
    listing(mocked, [instance(id="inst-c", name="demo-2"), instance(id="inst-1", name="demo"), instance(id="inst-d", name="Demo")])
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T1))
    result = run_module(module, args(instance_id=DROP, name="demo", description="new"))
    assert result["changed"] is True
    assert methods(mocked) == ["GET", "PUT", "GET"]
    assert mocked.calls[1].request.url == ITEM_URL
    assert put_bodies(mocked) == [{"description": "new"}]


def test_unknown_instance_id_carries_the_404_body(run_module, mocked):
    mocked.add(
        responses.GET,
        ITEM_URL,
        status=404,
        headers={"X-Request-Id": "rid-404-abc"},
        json={"error_code": "common.01000001", "error_msg": "response status exception, code: 404"},
    )
    result = run_module(module, args(description="new"))
    assert result["failed"] is True
    for part in ("HTTP 404", "error_code=common.01000001", "error_msg=response status exception, code: 404", "request_id=rid-404-abc"):
        assert part in result["msg"]
    assert result["error"] == {
        "status": 404,
        "error_code": "common.01000001",
        "error_msg": "response status exception, code: 404",
        "solution_msg": None,
        "request_id": "rid-404-abc",
    }
    assert "exception" not in result
    assert methods(mocked) == ["GET"]


def test_html_gateway_page_is_a_clean_failure(run_module, mocked):
    mocked.add(
        responses.GET,
        ITEM_URL,
        status=502,
        headers={"X-Request-Id": "rid-gw"},
        body="<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
    )
    result = run_module(module, args(description="new", api_retries=1))
    assert result["failed"] is True
    assert "HTTP 502" in result["msg"] and "502 Bad Gateway" in result["msg"] and "rid-gw" in result["msg"]
    assert "<h1>" not in result["msg"]
    assert len(mocked.calls) == 2


def test_403_nested_body_is_a_clean_failure(run_module, mocked):
    mocked.add(
        responses.GET,
        ITEM_URL,
        status=403,
        json={
            "error": {"code": "403", "message": "X-Auth-Token is invalid in the request", "title": "Forbidden"},
            "error_code": 403,
            "error_msg": "X-Auth-Token is invalid in the request",
            "title": "Forbidden",
        },
    )
    result = run_module(module, args(description="new"))
    assert result["failed"] is True
    assert "error_code=403" in result["msg"] and "X-Auth-Token is invalid in the request" in result["msg"]
    assert result["error"]["error_code"] == "403"


def test_instance_id_being_deleted_cannot_be_created(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance(status="DELETING"))
    result = run_module(module, args(description="new"))
    assert result["failed"] is True
    assert "cannot be created" in result["msg"]
    assert methods(mocked) == ["GET"]


# Deploy

DEPLOY_ARGS = {
    "instance_id": DROP,
    "name": "chat-prod",
    "description": "serves chat",
    "source": {"id": "model-1", "version_id": "ver-1"},
    "endpoint_id": "ep-1",
    "resource": {"min": 1, "max": 2, "spec_code": "mu.llama3.8b"},
}
DEPLOY_BODY = {
    "name": "chat-prod",
    "description": "serves chat",
    "source": {"id": "model-1", "version_id": "ver-1"},
    "endpoint_id": "ep-1",
    "config": {"model_instance_config": {"resource": {"min": 1, "max": 2, "spec_code": "mu.llama3.8b"}}},
}


def test_deploy_when_the_name_is_absent(run_module, mocked, fake_time):
    new_url = LIST_URL + "/inst-9"
    listing(mocked, [instance(id="inst-x", name="chat-prod-old"), instance(id="inst-y", name="chat-prod", status="DELETED")])
    mocked.add(responses.POST, LIST_URL, status=202, json={"id": "inst-9"})
    mocked.add(responses.GET, new_url, status=404, json={"error_code": "common.01000001", "error_msg": "code: 404"})
    mocked.add(responses.GET, new_url, json=dict(DEPLOY_BODY, id="inst-9", status="CREATING"))
    mocked.add(responses.GET, new_url, json=dict(DEPLOY_BODY, id="inst-9", status="RUNNING"))
    result = run_module(module, args(**DEPLOY_ARGS), diff=True)
    assert result["changed"] is True
    assert result["instance"] == dict(DEPLOY_BODY, id="inst-9", status="RUNNING")
    assert methods(mocked) == ["GET", "POST", "GET", "GET", "GET"]
    post = mocked.calls[1].request
    assert post.url == LIST_URL
    assert json.loads(post.body) == DEPLOY_BODY
    assert result["diff"] == {"before": {}, "after": DEPLOY_BODY}
    assert fake_time.sleeps == [1.0, 1.0]


def test_deploy_without_wait(run_module, mocked):
    listing(mocked, [])
    mocked.add(responses.POST, LIST_URL, status=202, json={"id": "inst-9"})
    result = run_module(module, args(wait=False, **DEPLOY_ARGS))
    assert result["changed"] is True
    assert result["instance"]["id"] == "inst-9"
    assert result["instance"]["name"] == "chat-prod"
    assert methods(mocked) == ["GET", "POST"]


def test_deploy_in_check_mode_makes_no_write(run_module, mocked):
    listing(mocked, [])
    mocked.add(responses.POST, LIST_URL, status=202, json={"id": "inst-9"})
    result = run_module(module, args(**DEPLOY_ARGS), check_mode=True)
    assert result["changed"] is True
    assert result["instance"] == dict(DEPLOY_BODY, status="CREATING")
    assert methods(mocked) == ["GET"]


def test_deploy_failed(run_module, mocked):
    new_url = LIST_URL + "/inst-9"
    listing(mocked, [])
    mocked.add(responses.POST, LIST_URL, status=202, json={"id": "inst-9"})
    mocked.add(
        responses.GET,
        new_url,
        json=dict(DEPLOY_BODY, id="inst-9", status="FAILED", error_code="dataartsfabric.00010009", error_msg="No resources found."),
    )
    result = run_module(module, args(**DEPLOY_ARGS))
    assert result["failed"] is True
    assert "dataartsfabric.00010009" in result["msg"] and "No resources found." in result["msg"]


def test_deploy_post_with_unknown_outcome_is_confirmed_by_name(run_module, mocked):
    new_url = LIST_URL + "/inst-9"
    listing(mocked, [])
    listing(mocked, [dict(DEPLOY_BODY, id="inst-9", status="CREATING")])
    mocked.add(responses.POST, LIST_URL, status=500, json={"error_code": "common.00000500", "error_msg": "internal error"})
    mocked.add(responses.POST, LIST_URL, status=202, json={"id": "inst-other"})
    mocked.add(responses.GET, new_url, json=dict(DEPLOY_BODY, id="inst-9", status="RUNNING"))
    result = run_module(module, args(**DEPLOY_ARGS))
    assert result["changed"] is True
    assert result["instance"]["id"] == "inst-9"
    assert methods(mocked) == ["GET", "POST", "GET", "GET"]


@pytest.mark.parametrize(
    "drop, missing",
    [
        (("source", "endpoint_id", "resource"), "source.id, endpoint_id, resource.min, resource.max, resource.spec_code"),
        (("endpoint_id",), "endpoint_id"),
        (("resource",), "resource.min, resource.max, resource.spec_code"),
    ],
)
def test_deploy_missing_required_fields_makes_no_post(run_module, mocked, drop, missing):
    listing(mocked, [])
    over = dict(DEPLOY_ARGS)
    for key in drop:
        over[key] = DROP
    result = run_module(module, args(**over))
    assert result["failed"] is True
    assert result["msg"].endswith("deploying it needs {0}".format(missing))
    assert methods(mocked) == ["GET"]


def test_deploy_missing_spec_code(run_module, mocked):
    listing(mocked, [])
    over = dict(DEPLOY_ARGS)
    over["resource"] = {"min": 1, "max": 2}
    result = run_module(module, args(**over))
    assert result["failed"] is True
    assert result["msg"].endswith("deploying it needs resource.spec_code")
    assert methods(mocked) == ["GET"]


# Delete


def test_delete_then_wait_until_gone(run_module, mocked, fake_time):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.DELETE, ITEM_URL, status=202, body="")
    mocked.add(responses.GET, ITEM_URL, json=instance(status="DELETING"))
    mocked.add(responses.GET, ITEM_URL, status=404, json={"error_code": "common.01000001", "error_msg": "code: 404"})
    result = run_module(module, args(state="absent"), diff=True)
    assert result["changed"] is True
    assert result["instance"] == {}
    assert result["diff"] == {"before": {"id": "inst-1", "name": "demo"}, "after": {}}
    assert methods(mocked) == ["GET", "DELETE", "GET", "GET"]
    assert fake_time.sleeps == [1.0]


def test_delete_ends_on_deleted_status(run_module, mocked):
    listing(mocked, [instance()])
    mocked.add(responses.DELETE, ITEM_URL, status=202, body="")
    mocked.add(responses.GET, ITEM_URL, json=instance(status="DELETED"))
    result = run_module(module, args(instance_id=DROP, name="demo", state="absent"))
    assert result["changed"] is True
    assert methods(mocked) == ["GET", "DELETE", "GET"]
    assert mocked.calls[1].request.url == ITEM_URL


def test_delete_without_wait(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.DELETE, ITEM_URL, status=202, body="")
    result = run_module(module, args(state="absent", wait=False))
    assert result["changed"] is True
    assert methods(mocked) == ["GET", "DELETE"]


@pytest.mark.parametrize("setup", ["by_name_none", "by_name_deleting", "by_id_404", "by_id_deleted"])
def test_already_absent_is_unchanged(run_module, mocked, setup):
    if setup == "by_name_none":
        listing(mocked, [instance(id="inst-c", name="demo-2")])
        over = {"instance_id": DROP, "name": "demo"}
    elif setup == "by_name_deleting":
        listing(mocked, [instance(status="DELETING")])
        over = {"instance_id": DROP, "name": "demo"}
    elif setup == "by_id_404":
        mocked.add(responses.GET, ITEM_URL, status=404, json={"error_code": "common.01000001", "error_msg": "code: 404"})
        over = {}
    else:
        mocked.add(responses.GET, ITEM_URL, json=instance(status="DELETED"))
        over = {}
    mocked.add(responses.DELETE, ITEM_URL, status=202, body="")
    result = run_module(module, args(state="absent", **over))
    assert result["changed"] is False
    assert result["instance"] == {}
    assert methods(mocked) == ["GET"]


def test_check_mode_delete_makes_no_delete(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.DELETE, ITEM_URL, status=202, body="")
    result = run_module(module, args(state="absent"), check_mode=True)
    assert result["changed"] is True
    assert methods(mocked) == ["GET"]


# Authentication through the module


def test_warning_for_ignored_auth_options(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    secret = "SK-" + secrets.token_hex(16)
    result = run_module(module, args(description="old description", access_key="AK1", secret_key=secret))
    assert result["changed"] is False
    assert any("ignoring access_key, secret_key" in text for text in result["warning_texts"])
    assert all(secret not in text for text in result["warning_texts"])


def test_aksk_requests_are_signed(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    run_module(
        module,
        args(
            auth_token=DROP,
            access_key="AKEXAMPLE0000000000",
            secret_key="SK" + secrets.token_hex(8),
            project_id="proj-1",
            description="old description",
        ),
    )
    headers = mocked.calls[0].request.headers
    assert headers["Authorization"].startswith("SDK-HMAC-SHA256 Access=AKEXAMPLE0000000000, ")
    assert headers["X-Project-Id"] == "proj-1"
    assert "X-Auth-Token" not in headers


def test_password_auth_fetches_one_token(run_module, mocked):
    iam_token = "MIIT-iam-" + secrets.token_hex(24)
    password = "Pw-" + secrets.token_hex(12)
    mocked.add(
        responses.POST,
        "https://iam.example.test/v3/auth/tokens",
        status=201,
        headers={"X-Subject-Token": iam_token},
        json={"token": {"expires_at": "2026-11-29T09:00:00.000000Z"}},
    )
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T1))
    result = run_module(
        module,
        args(
            auth_token=DROP,
            user_name="alice",
            password=password,
            domain_name="acme",
            project_id="proj-1",
            iam_endpoint="https://iam.example.test/v3",
            description="new",
        ),
    )
    assert result["changed"] is True
    assert methods(mocked) == ["POST", "GET", "PUT", "GET"]
    assert all(call.request.headers["X-Auth-Token"] == iam_token for call in mocked.calls[1:])
    assert iam_token not in json.dumps(result)


def test_failed_right_after_the_update_even_without_a_new_update_time(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(status="FAILED", error_code="dataartsfabric.1", error_msg="quota"))
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T1))
    result = run_module(module, args(description="new"))
    assert result["failed"] is True
    assert "dataartsfabric.1" in result["msg"] and "quota" in result["msg"]
    assert methods(mocked) == ["GET", "PUT", "GET"]


def test_put_with_unknown_outcome_confirmed_by_an_update_in_progress(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.PUT, ITEM_URL, body=requests.exceptions.ReadTimeout("Read timed out."))
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    # Still the old values, but UPDATING since after our read: our PUT arrived.
    mocked.add(responses.GET, ITEM_URL, json=instance(status="UPDATING", update_time=T1))
    mocked.add(responses.GET, ITEM_URL, json=instance(description="new", update_time=T1))
    result = run_module(module, args(description="new"))
    assert result["changed"] is True
    assert methods(mocked) == ["GET", "PUT", "GET", "GET"]


def test_delete_with_unknown_outcome_is_confirmed_not_resent(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.DELETE, ITEM_URL, status=500, json={"error_code": "common.00000500", "error_msg": "internal error"})
    mocked.add(responses.DELETE, ITEM_URL, status=202, body="")
    # The confirmation read: DELETING, so the DELETE arrived; then the wait sees it gone.
    mocked.add(responses.GET, ITEM_URL, json=instance(status="DELETING"))
    mocked.add(responses.GET, ITEM_URL, status=404, json={"error_code": "common.01000001", "error_msg": "code: 404"})
    result = run_module(module, args(state="absent"))
    assert result["changed"] is True
    assert result["instance"] == {}
    assert methods(mocked) == ["GET", "DELETE", "GET", "GET"]


def test_one_wait_timeout_covers_every_wait_of_the_task(run_module, mocked, fake_time):
    # Five seconds waiting out UPDATING before the write leave five for the update itself.
    for _poll in range(6):
        mocked.add(responses.GET, ITEM_URL, json=instance(status="UPDATING"))
    mocked.add(responses.GET, ITEM_URL, json=instance(update_time=T1))
    mocked.add(responses.PUT, ITEM_URL, status=202, json={"id": "inst-1"})
    mocked.add(responses.GET, ITEM_URL, json=instance(status="UPDATING", update_time=T2))
    result = run_module(module, args(description="new", wait_timeout=10))
    assert result["failed"] is True
    assert "UPDATING" in result["msg"]
    assert fake_time.elapsed == pytest.approx(10)
    assert methods(mocked).count("PUT") == 1


def test_delete_ending_failed_fails_at_once(run_module, mocked, fake_time):
    mocked.add(responses.GET, ITEM_URL, json=instance())
    mocked.add(responses.DELETE, ITEM_URL, status=202, body="")
    mocked.add(responses.GET, ITEM_URL, json=instance(status="FAILED", error_code="fabric.0042", error_msg="release failed"))
    result = run_module(module, args(state="absent"))
    assert result["failed"] is True
    assert "fabric.0042" in result["msg"] and "release failed" in result["msg"]
    assert fake_time.elapsed == 0


def test_max_change_on_an_instance_without_min_is_refused(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance(config={}))
    result = run_module(module, args(resource={"max": 3}))
    assert result["failed"] is True
    assert "resource.min" in result["msg"]
    assert methods(mocked) == ["GET"]


def test_a_converged_failed_instance_is_reported_with_a_warning(run_module, mocked):
    mocked.add(responses.GET, ITEM_URL, json=instance(status="FAILED", error_code="fabric.0007", error_msg="no capacity"))
    result = run_module(module, args(description="old description"))
    assert result["changed"] is False
    assert any("FAILED" in text and "fabric.0007" in text and "no capacity" in text for text in result["warning_texts"])
    assert methods(mocked) == ["GET"]
