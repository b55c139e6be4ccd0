# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""InstancesApi under the readings the documentation leaves open: a list that changes between pages, a total that is
missing, a string or wrong, brief List items, answers without the body an operation needs."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricApiError, FabricUnexpectedAnswer
from ansible_collections.hwcloud.dataarts.plugins.module_utils._http import FabricClient
from ansible_collections.hwcloud.dataarts.plugins.module_utils._instance import LIST_RESTARTS, InstancesApi, lacks_fields
from ansible_collections.hwcloud.dataarts.plugins.module_utils._retry import Backoff
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import ENDPOINT, LIST_URL


def brief(number):
    """An item as the SDK's ServiceInstanceBriefInfo has it: no config, no error fields."""
    return {"id": "inst-{0:04d}".format(number), "name": "n{0}".format(number), "status": "RUNNING", "description": "d"}


def full(number):
    return dict(brief(number), config={"model_instance_config": {"resource": {"min": 1, "max": 2, "spec_code": "s"}}})


class ChangingList:
    """A List API whose content can change after a given page is answered, and whose total can be any reading."""

    def __init__(self, everything, total="exact", after_page=None, change=None):
        self.everything = list(everything)
        self.total = total
        self.after_page = after_page
        self.change = change
        self.pages = 0

    def __call__(self, request):
        query = dict(parse_qsl(urlsplit(request.url).query))
        offset, limit = int(query["offset"]), int(query["limit"])
        page = self.everything[offset : offset + limit]
        body = {"service_instances": page}
        real = len(self.everything)
        if self.total == "exact":
            body["total"] = real
        elif self.total == "string":
            body["total"] = str(real)
        elif self.total == "wrong":
            body["total"] = min(len(page), max(real - 1, 0))
        self.pages += 1
        if self.pages == self.after_page and self.change:
            self.change(self.everything)
        return 200, {}, json.dumps(body)


@pytest.fixture
def api(fake_time):
    client = FabricClient(ENDPOINT, retries=1, clock=fake_time.clock, sleep=fake_time.sleep, backoff=Backoff(rng=lambda: 0.0))
    return InstancesApi(client, "ws-1")


def ids(instances):
    return [item["id"] for item in instances]


@pytest.mark.parametrize("total", ["exact", "string", "wrong", "missing"])
@pytest.mark.parametrize("count", [0, 1, 99, 100, 101, 200, 250])
def test_every_instance_once_whatever_total_says(mocked, api, total, count):
    everything = [full(number) for number in range(count)]
    mocked.add_callback(responses.GET, LIST_URL, callback=ChangingList(everything, total=total))
    assert ids(api.list()) == ids(everything)


@pytest.mark.parametrize("count, requests_made", [(101, 2), (200, 2), (250, 3)])
def test_a_believable_total_saves_the_last_request(mocked, api, count, requests_made):
    mocked.add_callback(responses.GET, LIST_URL, callback=ChangingList([full(n) for n in range(count)]))
    api.list()
    assert len(mocked.calls) == requests_made


def test_an_instance_deleted_before_the_offset_between_pages_is_not_a_reason_to_skip_another(mocked, api):
    everything = [full(number) for number in range(150)]
    target = everything[120]["id"]  # shifts from page 2's offset 120 to 119 when an earlier instance goes away
    listing = ChangingList(everything, after_page=1, change=lambda items: items.pop(10))
    mocked.add_callback(responses.GET, LIST_URL, callback=listing)
    found = api.list()
    assert target in ids(found)
    assert len(ids(found)) == len(set(ids(found))) == 149
    assert len(mocked.calls) == 4  # two pages, then the listing once more from the start


def test_an_instance_created_between_pages_appears_once(mocked, api):
    everything = [full(number) for number in range(150)]
    listing = ChangingList(everything, after_page=1, change=lambda items: items.append(full(999)))
    mocked.add_callback(responses.GET, LIST_URL, callback=listing)
    found = ids(api.list())
    assert found.count("inst-0999") == 1
    assert len(found) == len(set(found)) == 151


def test_newest_first_order_shifting_items_forward_never_duplicates(mocked, api):
    # An API that ignores the order asked for and puts a new instance first: page 2 repeats page 1's last item.
    everything = [full(number) for number in range(150)]
    listing = ChangingList(everything, after_page=1, change=lambda items: items.insert(0, full(999)))
    mocked.add_callback(responses.GET, LIST_URL, callback=listing)
    found = ids(api.list())
    assert len(found) == len(set(found))
    assert set(ids(everything)) - {"inst-0999"} <= set(found)


def test_a_list_that_keeps_shrinking_ends_after_a_bounded_number_of_restarts(mocked, api):
    everything = [full(number) for number in range(300)]
    listing = ChangingList(everything)

    def shrink_every_second_page(request):
        answer = listing(request)
        if listing.pages % 2 == 1:
            listing.everything.pop(0)
        return answer

    mocked.add_callback(responses.GET, LIST_URL, callback=shrink_every_second_page)
    found = api.list()
    assert len(found) == len(set(ids(found)))
    assert len(mocked.calls) <= (LIST_RESTARTS + 1) * 3


@pytest.mark.parametrize(
    "body, content_type",
    [("", "application/json"), ("[]", "application/json"), ('"text"', "application/json"), ("{}", "application/json")],
)
def test_show_needs_an_instance(mocked, api, body, content_type):
    mocked.add(responses.GET, LIST_URL + "/inst-1", body=body, content_type=content_type)
    with pytest.raises(FabricUnexpectedAnswer) as caught:
        api.show("inst-1")
    assert "HTTP 200 with content type application/json" in str(caught.value)


def test_a_page_without_a_list_of_instances_fails_clearly(mocked, api):
    mocked.add(responses.GET, LIST_URL, json={"total": 3, "service_instances": "three"})
    with pytest.raises(FabricUnexpectedAnswer, match="service_instances is not a list"):
        api.list()


def test_put_and_delete_take_an_empty_2xx(mocked, api):
    mocked.add(responses.PUT, LIST_URL + "/inst-1", status=202, body="")
    mocked.add(responses.DELETE, LIST_URL + "/inst-1", status=202, body="")
    api.update("inst-1", {"description": "d"}, confirm_write=lambda: None)
    api.delete("inst-1", confirm_write=lambda: None)
    assert len(mocked.calls) == 2


def test_a_deploy_answered_without_an_id_is_read_back_by_name(mocked, api):
    mocked.add(responses.POST, LIST_URL, status=202, body="")
    assert api.deploy({"name": "n1"}, confirm_write=lambda: {"id": "inst-new"}) == "inst-new"
    assert len(mocked.calls) == 1  # never resent


def test_a_deploy_answered_without_an_id_and_nothing_visible_fails_clearly(mocked, api):
    mocked.add(responses.POST, LIST_URL, status=202, body="")
    with pytest.raises(FabricApiError, match="no instance id in the answer"):
        api.deploy({"name": "n1"}, confirm_write=lambda: None)
    assert len(mocked.calls) == 1


def test_brief_items_lack_what_a_comparison_of_the_resource_needs():
    assert lacks_fields(brief(1), ["resource.max"])
    assert not lacks_fields(brief(1), ["name", "description"])
    assert not lacks_fields(dict(brief(1), description=None), ["description"])  # absent means empty
    assert not lacks_fields(full(1), ["resource.max", "resource.min", "name"])


def test_with_details_reads_only_the_items_that_lack_fields_and_drops_vanished_ones(mocked, api):
    mocked.add(responses.GET, LIST_URL + "/inst-0001", json=full(1))
    mocked.add(responses.GET, LIST_URL + "/inst-0002", status=404, json={"error_code": "common.01000001", "error_msg": "not found"})
    completed = api.with_details([full(0), brief(1), brief(2)], ["resource.max"])
    assert completed == [full(0), full(1)]
    assert [call.request.url for call in mocked.calls] == [LIST_URL + "/inst-0001", LIST_URL + "/inst-0002"]
