# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""InstancesApi.list while an instance before the offset goes away between pages, under every reading of ``total``.

Without a total that vouches for the next offset (missing, or one that proves wrong), a page starts at the last item
already read, which must come first again: else the list shifted and the listing starts over.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.dataarts.plugins.module_utils._http import FabricClient
from ansible_collections.hwcloud.dataarts.plugins.module_utils._instance import PAGE_SIZE, InstancesApi
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import ENDPOINT, LIST_URL
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.module_utils.test_instances_api_readings import ChangingList, full, ids

TOTALS = ("exact", "missing", "string", "wrong")


@pytest.fixture
def api(fake_time):
    return InstancesApi(FabricClient(ENDPOINT, retries=0, clock=fake_time.clock, sleep=fake_time.sleep), "ws-1")


def offsets(mocked):
    return [int(dict(parse_qsl(urlsplit(call.request.url).query))["offset"]) for call in mocked.calls]


@pytest.mark.parametrize("total", TOTALS)
def test_a_deletion_before_the_offset_never_hides_an_instance(mocked, api, total):
    everything = [full(number) for number in range(2 * PAGE_SIZE)]
    survivors = ids(everything[1:])
    mocked.add_callback(responses.GET, LIST_URL, callback=ChangingList(everything, total=total, after_page=1, change=lambda items: items.pop(0)))
    found = ids(api.list())
    assert len(found) == len(set(found))
    assert set(survivors) <= set(found), sorted(set(survivors) - set(found))
    assert offsets(mocked).count(0) == 2, offsets(mocked)  # started over once it knew it might have skipped one


@pytest.mark.parametrize(
    "total, expected",
    [
        ("exact", [0, 100]),
        ("string", [0, 100]),
        # No total: the next page starts at the last item read.
        ("missing", [0, 99]),
        # Page one's total (its own length) looked believable; page two proves it wrong: start over, overlapping.
        ("wrong", [0, 100, 0, 99]),
    ],
)
def test_pages_overlap_by_one_item_only_where_no_total_vouches_for_the_offset(mocked, api, total, expected):
    mocked.add_callback(responses.GET, LIST_URL, callback=ChangingList([full(number) for number in range(150)], total=total))
    assert len(api.list()) == 150
    assert offsets(mocked) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(min_value=0, max_value=3 * PAGE_SIZE + 5),
    total=st.sampled_from(TOTALS),
    after_page=st.integers(min_value=1, max_value=4),
    deleted=st.one_of(st.none(), st.integers(min_value=0, max_value=3 * PAGE_SIZE + 5)),
)
def test_property_one_change_between_pages_neither_duplicates_nor_skips(api, count, total, after_page, deleted):
    """Whatever the size, the total's reading, the page after which it happens and what changes (one instance
    deleted anywhere, or one created, as the oldest-first order puts it: last), every instance that was there all
    along is listed, and none twice."""
    everything = [full(number) for number in range(count)]

    def change(items):
        if deleted is None:
            items.append(full(10000))
        elif deleted < len(items):
            items.pop(deleted)

    listing = ChangingList(everything, total=total, after_page=after_page, change=change)
    before = set(ids(everything))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add_callback(responses.GET, LIST_URL, callback=listing)
        found = ids(api.list())
    after = set(ids(listing.everything))
    assert len(found) == len(set(found)), found
    assert before & after <= set(found), sorted((before & after) - set(found))
    assert set(found) <= before | after
