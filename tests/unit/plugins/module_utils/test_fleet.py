# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Selection and FleetWait of fabric_service_instance_info, on recorded answers (no HTTP, no main()).

A RecordedApi plays back one List answer per poll and the details by id, and counts every call, so each test says
what a poll costs and when a detail is read; the Waiter runs on the fake clock of tests/unit/plugins/conftest.py.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.dataarts.plugins.module_utils._conditions import Done, Pending
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricTimeoutError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._info import STRAGGLERS_NAMED, FleetWait, Selection
from ansible_collections.hwcloud.dataarts.plugins.module_utils._waiter import Waiter

EXPECTED = {"description": "new", "resource.max": 4}
BRIEF_KEYS = ("id", "name", "description", "status", "update_time")


def instance(instance_id, status="RUNNING", description="new", max_=4, **extra):
    """An instance as Show (and full List items) answer it."""
    found = {
        "id": instance_id,
        "name": instance_id,
        "description": description,
        "status": status,
        "endpoint_id": "ep",
        "source": {"id": "src", "version_id": "v1"},
        "config": {"model_instance_config": {"resource": {"min": 1, "max": max_, "spec_code": "s"}}},
    }
    found.update(extra)
    return found


def brief(full):
    """The same instance as the SDK's brief List items show it: no config, no error fields."""
    return {key: full[key] for key in BRIEF_KEYS if key in full}


class RecordedApi:
    """Answers List with the next recorded listing (the last one repeats) and Show from ``details``."""

    def __init__(self, listings, details=None):
        self.listings = list(listings)
        self.details = dict(details or {})
        self.calls = []

    def _next_listing(self):
        listing = self.listings.pop(0) if len(self.listings) > 1 else self.listings[0]
        return [dict(item) for item in listing]

    def list(self, query=None):
        self.calls.append(("list", tuple(query or ())))
        return self._next_listing()

    def list_named(self, name, query=()):
        self.calls.append(("list_named", name, tuple(query)))
        return [item for item in self._next_listing() if item.get("name") == name]

    def show_or_none(self, instance_id):
        self.calls.append(("show", instance_id))
        found = self.details.get(instance_id)
        if isinstance(found, list):
            found = found.pop(0) if len(found) > 1 else found[0]
        return dict(found) if found is not None else None

    def count(self, kind, instance_id=None):
        return sum(1 for call in self.calls if call[0] == kind and (instance_id is None or call[1] == instance_id))


def params(**given):
    base = {"name": None, "instance_id": None, "instance_ids": None, "filters": None}
    base.update(given)
    return base


def fleet(api, expected=None, **given):
    return FleetWait(api, Selection(api, params(**given)), EXPECTED if expected is None else expected)


def wait(fleet_wait, fake_time, timeout=60):
    return Waiter(clock=fake_time.clock, sleep=fake_time.sleep).wait(fleet_wait.poll, timeout, "the fleet")


# Selection


def test_instance_ids_pick_exactly_those_in_their_order_once_each():
    api = RecordedApi([[instance("c"), instance("a"), instance("b"), instance("other")]])
    selection = Selection(api, params(instance_ids=["b", "a", "b", "missing"]))
    assert [item["id"] for item in selection.read()] == ["b", "a"]
    assert selection.expected_ids([]) == ["b", "a", "missing"]
    assert api.calls == [("list", ())]


def test_filters_go_to_the_list_sorted_without_unset_ones():
    api = RecordedApi([[instance("a")]])
    Selection(api, params(filters={"visibility": "PRIVATE", "endpoint_id": "ep", "type": None})).read()
    assert api.calls == [("list", (("endpoint_id", "ep"), ("visibility", "PRIVATE")))]


def test_a_name_reads_by_exact_name_with_the_filters():
    api = RecordedApi([[instance("a"), dict(instance("b"), name="a-canary")]])
    found = Selection(api, params(name="a", filters={"visibility": "PRIVATE"})).read()
    assert [item["id"] for item in found] == ["a"]
    assert api.calls == [("list_named", "a", (("visibility", "PRIVATE"),))]


def test_one_instance_id_is_read_by_show_not_listed():
    api = RecordedApi([[]], {"a": instance("a")})
    selection = Selection(api, params(instance_id="a"))
    assert selection.read() == [instance("a")]
    assert selection.expected_ids([]) == ["a"]
    assert api.calls == [("show", "a")]


def test_one_unknown_instance_id_reads_as_nothing():
    assert Selection(RecordedApi([[]]), params(instance_id="gone")).read() == []


def test_without_ids_the_wait_covers_the_live_instances_listed():
    listed = [instance("a"), instance("b", status="DELETING"), instance("c", status="DELETED"), instance("d", status="UPDATING")]
    assert Selection(RecordedApi([listed]), params()).expected_ids(listed) == ["a", "d"]


# FleetWait: one poll


def test_steady_and_showing_expect_is_done_in_one_poll_of_one_listing(fake_time):
    api = RecordedApi([[instance("a"), instance("b")]])
    waiting = fleet(api, instance_ids=["a", "b"])
    assert wait(waiting, fake_time) is None
    assert [item["id"] for item in waiting.instances()] == ["a", "b"]
    assert api.calls == [("list", ())] and fake_time.sleeps == []


@pytest.mark.parametrize(
    "seen, status",
    [
        (instance("a", status="UPDATING", description="old"), "UPDATING"),
        (instance("a", description="old"), "RUNNING (expected values not shown yet)"),
        (instance("a", max_="3"), "RUNNING (expected values not shown yet)"),
        (instance("a", status="DELETED"), "DELETED"),
        (None, "not listed"),
    ],
    ids=["transitional", "stale read", "another max", "deleted", "absent"],
)
def test_what_keeps_a_selected_instance_pending(seen, status):
    api = RecordedApi([[seen] if seen else []])
    waiting = fleet(api, instance_ids=["a"])
    outcome = waiting.poll()
    assert isinstance(outcome, Pending) and outcome.status == "1 of 1 pending"
    assert waiting.pending == {"a": status}


def test_numbers_as_strings_still_show_expect():
    waiting = fleet(RecordedApi([[instance("a", max_="4")]]), instance_ids=["a"])
    assert isinstance(waiting.poll(), Done)


def test_no_expect_waits_for_steady_only():
    waiting = fleet(RecordedApi([[instance("a", description="anything")]]), expected={}, instance_ids=["a"])
    assert isinstance(waiting.poll(), Done)


# FleetWait: a wait of several polls


def test_stale_reads_then_the_update_then_done(fake_time):
    old, busy, new = instance("a", description="old", max_=2), instance("a", status="UPDATING", description="old", max_=2), instance("a")
    api = RecordedApi([[old, instance("b")], [busy, instance("b")], [new, instance("b")]])
    waiting = fleet(api, instance_ids=["a", "b"])
    waiter = Waiter(clock=fake_time.clock, sleep=fake_time.sleep)
    waiter.wait(waiting.poll, 60, "the fleet")
    assert api.count("list") == 3 and api.count("show") == 0
    assert [entry["status"] for entry in waiter.waited()["statuses"]] == ["1 of 2 pending", "all 2 steady"]
    assert waiting.instances() == [new, instance("b")]


def test_brief_items_read_the_detail_once_when_the_list_shows_the_instance_steady(fake_time):
    a, b = instance("a"), instance("b")
    listings = [
        [brief(a), brief(dict(b, status="UPDATING"))],
        [brief(a), brief(dict(b, status="UPDATING"))],
        [brief(a), brief(b)],
    ]
    api = RecordedApi(listings, {"a": a, "b": b})
    waiting = fleet(api, instance_ids=["a", "b"])
    wait(waiting, fake_time)
    assert api.count("list") == 3
    assert api.count("show", "a") == 1 and api.count("show", "b") == 1
    # b's detail is read after the third List, the first to show it steady.
    assert api.calls.index(("show", "b")) == len(api.calls) - 1
    assert waiting.instances() == [a, b]


def test_brief_items_of_a_steady_instance_with_a_stale_detail_read_it_again_next_poll(fake_time):
    a_old, a_new = instance("a", description="old"), instance("a")
    api = RecordedApi([[brief(a_new)]], {"a": [a_old, a_new]})
    waiting = fleet(api, instance_ids=["a"])
    wait(waiting, fake_time)
    assert api.count("list") == 2 and api.count("show", "a") == 2


def test_brief_items_need_no_detail_when_expect_names_only_listed_fields():
    api = RecordedApi([[brief(instance("a"))]], {"a": instance("a")})
    waiting = fleet(api, expected={"description": "new"}, instance_ids=["a"])
    assert isinstance(waiting.poll(), Done)
    assert api.count("show") == 0


def test_a_brief_item_whose_detail_is_gone_is_pending_not_found():
    api = RecordedApi([[brief(instance("a"))]], {})
    waiting = fleet(api, instance_ids=["a"])
    assert isinstance(waiting.poll(), Pending)
    assert waiting.pending == {"a": "not found"}


def test_a_failed_instance_ends_its_wait_and_is_kept_apart(fake_time):
    failed = instance("a", status="FAILED", description="old", error_code="ModelArts.0001", error_msg="no capacity")
    api = RecordedApi([[failed, instance("b", status="UPDATING")], [failed, instance("b")]])
    waiting = fleet(api, instance_ids=["a", "b"])
    wait(waiting, fake_time)
    assert waiting.failed == {"a": failed}
    assert list(waiting.done) == ["b"]
    assert waiting.instances() == [failed, instance("b")]


def test_done_instances_are_not_judged_again(fake_time):
    """Once done, an instance stays done: a later poll that shows it otherwise does not reopen its wait."""
    api = RecordedApi([[instance("a"), instance("b", status="UPDATING")], [instance("a", status="UPDATING"), instance("b")]])
    waiting = fleet(api, instance_ids=["a", "b"])
    wait(waiting, fake_time)
    assert api.count("list") == 2 and waiting.instances() == [instance("a"), instance("b")]


def test_outside_instance_ids_nothing_blocks_or_fails_the_wait():
    listed = [instance("a"), instance("busy", status="UPDATING"), instance("broken", status="FAILED")]
    waiting = fleet(RecordedApi([listed]), instance_ids=["a"])
    assert isinstance(waiting.poll(), Done)
    assert waiting.failed == {} and waiting.instances() == [instance("a")]


def test_without_ids_a_transitional_instance_of_the_workspace_is_waited_for_but_a_deleting_one_is_not():
    listed = [instance("a"), instance("busy", status="UPDATING"), instance("going", status="DELETING")]
    waiting = fleet(RecordedApi([listed]), expected={})
    outcome = waiting.poll()
    assert isinstance(outcome, Pending) and waiting.pending == {"busy": "UPDATING"}


def test_an_instance_created_during_a_workspace_wait_joins_it():
    api = RecordedApi([[instance("a")], [instance("a"), instance("new", status="CREATING")]])
    waiting = fleet(api, expected={})
    assert isinstance(waiting.poll(), Done)
    outcome = waiting.poll()
    assert isinstance(outcome, Pending) and outcome.status == "1 of 2 pending"


# Timeout


def test_a_timeout_leaves_the_stragglers_with_their_statuses(fake_time):
    api = RecordedApi([[instance("a", status="UPDATING"), instance("b", description="old"), instance("c")]])
    waiting = fleet(api, instance_ids=["c", "b", "a", "d"])
    with pytest.raises(FabricTimeoutError):
        wait(waiting, fake_time, timeout=5)
    assert waiting.stragglers() == "a (UPDATING), b (RUNNING (expected values not shown yet)), d (not listed)"
    assert fake_time.elapsed == 5 and api.count("list") >= 5


def test_a_long_list_of_stragglers_names_some_and_counts_the_rest():
    ids = ["i{0:03d}".format(index) for index in range(STRAGGLERS_NAMED + 7)]
    waiting = fleet(RecordedApi([[instance(instance_id, status="UPDATING") for instance_id in ids]]), instance_ids=ids)
    waiting.poll()
    text = waiting.stragglers()
    assert text.endswith(" and 7 more")
    assert text.count("(UPDATING)") == STRAGGLERS_NAMED
    assert "i000 (UPDATING)" in text and ids[-1] not in text
