# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The named predicates and wait conditions, on recorded API answers (no HTTP, no main())."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _conditions as c
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricWaitError

BEFORE = {
    "id": "inst-1",
    "name": "demo",
    "description": "old",
    "status": "RUNNING",
    "update_time": "2026-11-28T09:00:00.000Z",
    "config": {"model_instance_config": {"resource": {"min": 1, "max": 2, "spec_code": "s"}}},
}
REQUESTED = {"description": "new", "resource.max": 4}


def answer(**changes):
    """A recorded answer: the instance before, with these top-level changes and ``max`` for the resource's max."""
    seen = dict(BEFORE, config={"model_instance_config": {"resource": dict(BEFORE["config"]["model_instance_config"]["resource"])}})
    if "max" in changes:
        seen["config"]["model_instance_config"]["resource"]["max"] = changes.pop("max")
    seen.update(changes)
    return seen


LATER = "2026-11-28T09:00:05.000Z"
APPLIED = answer(description="new", max=4, update_time=LATER)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-05-30T12:24:30.401Z", datetime.datetime(2023, 5, 30, 12, 24, 30, 401000, datetime.timezone.utc)),
        ("2023-05-30T20:24:30.401+0800", datetime.datetime(2023, 5, 30, 12, 24, 30, 401000, datetime.timezone.utc)),
        ("2023-05-30T20:24:30+08:00", datetime.datetime(2023, 5, 30, 12, 24, 30, 0, datetime.timezone.utc)),
        ("2023-05-30T12:24:30.123456789Z", datetime.datetime(2023, 5, 30, 12, 24, 30, 123456, datetime.timezone.utc)),
        ("2023-05-30T12:24:30.4Z", datetime.datetime(2023, 5, 30, 12, 24, 30, 400000, datetime.timezone.utc)),
        ("2023-05-30T12:24:30", datetime.datetime(2023, 5, 30, 12, 24, 30, 0, datetime.timezone.utc)),
        ("2023-05-30 07:24:30.4-05:00", datetime.datetime(2023, 5, 30, 12, 24, 30, 400000, datetime.timezone.utc)),
        ("2023-05-30T12:24Z", datetime.datetime(2023, 5, 30, 12, 24, 0, 0, datetime.timezone.utc)),
    ],
)
def test_every_iso_8601_form_the_api_may_write_parses(text, expected):
    assert c.instant(text) == expected


@pytest.mark.parametrize("text", [None, "", "yesterday", "2023-13-01T00:00:00Z", "2023-05-30T25:00:00Z", 1685449470, "2023-05-30T12:24:30.Z"])
def test_unreadable_timestamps_are_none_and_never_newer(text):
    assert c.instant(text) is None
    assert c.newer(text, "2000-01-01T00:00:00Z") is False
    assert c.newer("2999-01-01T00:00:00Z", text) is False


def test_newer_compares_instants_not_text():
    assert c.newer("2026-11-28T17:00:01+0800", "2026-11-28T09:00:00.999Z")
    assert not c.newer("2026-11-28T17:00:00+08:00", "2026-11-28T09:00:00Z")


@pytest.mark.parametrize(
    "seen, steady, transitional, gone, failed",
    [
        (None, False, False, True, False),
        ({"status": "RUNNING"}, True, False, False, False),
        ({"status": "FAILED"}, True, False, False, True),
        ({"status": "UPDATING"}, False, True, False, False),
        ({"status": "DELETING"}, False, True, False, False),
        ({"status": "DELETED"}, True, False, True, False),
    ],
)
def test_status_predicates(seen, steady, transitional, gone, failed):
    assert c.is_steady(seen) is steady
    assert c.is_transitional(seen) is transitional
    assert c.is_gone(seen) is gone
    assert c.is_failed(seen) is failed


def test_shows_requested_compares_numbers_sent_as_strings():
    assert c.shows_requested(answer(description="new", max="4"), REQUESTED)
    assert not c.shows_requested(answer(description="new", max="5"), REQUESTED)
    assert not c.shows_requested(None, REQUESTED)


def test_another_writer_needs_a_steady_newer_answer_without_our_values():
    theirs = answer(description="theirs", update_time=LATER)
    assert c.changed_by_another_writer(theirs, BEFORE, REQUESTED)
    assert not c.changed_by_another_writer(answer(description="theirs"), BEFORE, REQUESTED)  # not newer: a stale read
    assert not c.changed_by_another_writer(dict(theirs, status="UPDATING"), BEFORE, REQUESTED)
    assert not c.changed_by_another_writer(APPLIED, BEFORE, REQUESTED)


def outcome(condition, seen):
    result = condition(seen)
    return (type(result).__name__, result.value if isinstance(result, c.Done) else result.status)


def test_update_applied_on_recorded_answers():
    condition = c.update_applied(BEFORE, REQUESTED)
    assert outcome(condition, BEFORE) == ("Pending", "RUNNING (requested values not shown yet)")  # stale read
    assert outcome(condition, answer(status="UPDATING", update_time=LATER)) == ("Pending", "UPDATING")
    assert outcome(condition, APPLIED) == ("Done", APPLIED)
    with pytest.raises(FabricWaitError, match="another writer changed instance inst-1 during the update"):
        condition(answer(description="theirs", update_time=LATER))
    with pytest.raises(FabricWaitError, match="is FAILED after the update"):
        condition(answer(status="FAILED", update_time=LATER, error_code="E1", error_msg="no capacity"))


def test_update_of_a_failed_instance_is_never_success_while_failed():
    failed_before = dict(BEFORE, status="FAILED")
    condition = c.update_applied(failed_before, REQUESTED)
    # Still the old FAILED answer: the update is not shown yet.
    assert outcome(condition, failed_before)[0] == "Pending"
    # FAILED with the requested values: the update failed, not succeeded.
    with pytest.raises(FabricWaitError, match="is FAILED after the update"):
        condition(dict(APPLIED, status="FAILED", update_time=BEFORE["update_time"]))
    with pytest.raises(FabricWaitError, match="is FAILED after the update"):
        condition(dict(failed_before, update_time=LATER))
    assert outcome(condition, APPLIED) == ("Done", APPLIED)


def test_settled():
    assert outcome(c.settled, {"status": "CREATING"}) == ("Pending", "CREATING")
    assert outcome(c.settled, {"status": "FAILED"}) == ("Done", {"status": "FAILED"})


def test_deployed():
    condition = c.deployed("inst-9")
    assert outcome(condition, None) == ("Pending", "not visible yet")
    assert outcome(condition, {"status": "CREATING"}) == ("Pending", "CREATING")
    assert outcome(condition, {"status": "RUNNING"}) == ("Done", {"status": "RUNNING"})
    with pytest.raises(FabricWaitError, match="inst-9 is FAILED after deployment"):
        condition({"status": "FAILED"})


def test_deleted_waits_out_a_failed_instance_whose_deletion_has_not_shown_yet():
    failed = dict(BEFORE, status="FAILED")
    condition = c.deleted(failed)
    assert outcome(condition, failed) == ("Pending", "FAILED")
    assert outcome(condition, dict(failed, status="DELETING")) == ("Pending", "DELETING")
    assert outcome(condition, None) == ("Done", {})
    assert outcome(condition, dict(failed, status="DELETED")) == ("Done", {})
    with pytest.raises(FabricWaitError, match="is FAILED instead of deleted"):
        condition(dict(failed, update_time=LATER))


def test_deleted_fails_when_a_running_instance_turns_failed():
    condition = c.deleted(BEFORE)
    assert outcome(condition, BEFORE) == ("Pending", "RUNNING")  # a stale read after the DELETE
    with pytest.raises(FabricWaitError, match="is FAILED instead of deleted"):
        condition(dict(BEFORE, status="FAILED"))
