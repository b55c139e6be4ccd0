# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Waiter on a fake clock: poll schedule, deadline, tolerated and fatal errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricApiError, FabricConnectionError, FabricWaitError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._waiter import POLL_ERROR_BUDGET, Pending, Waiter, poll_interval


def api_error(status, msg="boom"):
    return FabricApiError(status, "GET", "/v1/workspaces/ws-1/services/instances/inst-1", error_code=str(status), error_msg=msg)


class Probe:
    """Answers from a script (values, Pending or exceptions to raise), recording when it was called."""

    def __init__(self, fake_time, script, then=None):
        self.fake_time = fake_time
        self.script = list(script)
        self.then = then
        self.times = []

    def __call__(self):
        self.times.append(self.fake_time.elapsed)
        step = self.script.pop(0) if self.script else self.then
        if isinstance(step, Exception):
            raise step
        return step


def waiter(fake_time):
    return Waiter(clock=fake_time.clock, sleep=fake_time.sleep)


def test_immediate_success_does_not_sleep(fake_time):
    probe = Probe(fake_time, [{"status": "RUNNING"}])
    assert waiter(fake_time).wait(probe, 600, "x") == {"status": "RUNNING"}
    assert probe.times == [0.0]
    assert fake_time.sleeps == []


def test_first_polls_are_about_a_second_apart(fake_time):
    probe = Probe(fake_time, [Pending("UPDATING")] * 5, then="done")
    assert waiter(fake_time).wait(probe, 600, "x") == "done"
    assert fake_time.sleeps == [1.0] * 5
    assert probe.times == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_change_finishing_in_three_seconds_is_noticed_within_a_second(fake_time):
    def probe():
        return "done" if fake_time.elapsed >= 3.0 else Pending("UPDATING")

    waiter(fake_time).wait(probe, 600, "x")
    assert 3.0 <= fake_time.elapsed <= 4.0


def test_long_waits_back_off_towards_ten_seconds(fake_time):
    def probe():
        return "done" if fake_time.elapsed >= 900 else Pending("CREATING")

    waiter(fake_time).wait(probe, 3600, "x")
    sleeps = fake_time.sleeps
    assert sleeps[0] == 1.0
    assert all(0.5 <= pause <= 10.0 for pause in sleeps)
    assert sleeps == sorted(sleeps)  # never faster again
    assert sleeps[-1] == 10.0
    # Fewer polls than once a second: the back-off really happened.
    assert len(sleeps) < 200


@settings(database=None)
@given(st.floats(min_value=0, max_value=1e7, allow_nan=False))
def test_poll_interval_bounds(elapsed):
    interval = poll_interval(elapsed)
    assert 0.5 <= interval <= 10.0


@pytest.mark.parametrize("elapsed, interval", [(0, 1.0), (5, 1.0), (10, 1.0), (30, 3.0), (100, 10.0), (10000, 10.0)])
def test_poll_interval_values(elapsed, interval):
    assert poll_interval(elapsed) == interval


@pytest.mark.parametrize("timeout", [30, 7.5, 1, 125])
def test_timeout_is_honoured_exactly(fake_time, timeout):
    probe = Probe(fake_time, [], then=Pending("UPDATING"))
    with pytest.raises(FabricWaitError) as caught:
        waiter(fake_time).wait(probe, timeout, "instance inst-1 to show the update")
    assert fake_time.elapsed == pytest.approx(timeout)
    assert probe.times[-1] == pytest.approx(timeout)  # one last look at the deadline
    text = str(caught.value)
    assert "timed out after {0}s".format(timeout) in text
    assert "instance inst-1 to show the update" in text
    assert "last status seen: UPDATING" in text


def test_timeout_names_the_last_status(fake_time):
    probe = Probe(fake_time, [Pending("PENDING"), Pending("CREATING")], then=Pending("UPDATING (requested values not shown yet)"))
    with pytest.raises(FabricWaitError) as caught:
        waiter(fake_time).wait(probe, 10, "x")
    assert "last status seen: UPDATING (requested values not shown yet)" in str(caught.value)


def test_timeout_after_only_failed_polls(fake_time):
    probe = Probe(fake_time, [], then=api_error(503))
    with pytest.raises(FabricWaitError) as caught:
        Waiter(clock=fake_time.clock, sleep=fake_time.sleep, error_budget=100).wait(probe, 3, "x")
    assert "every poll failed" in str(caught.value)


@pytest.mark.parametrize(
    "error",
    [
        api_error(503),
        api_error(429),
        api_error(500),
        api_error(502),
        api_error(504),
        api_error(408),
        FabricConnectionError("GET", "/x", "refused", 6),
    ],
)
def test_transient_errors_are_tolerated_up_to_the_budget(fake_time, error):
    probe = Probe(fake_time, [error] * POLL_ERROR_BUDGET, then="done")
    assert waiter(fake_time).wait(probe, 600, "x") == "done"
    assert len(probe.times) == POLL_ERROR_BUDGET + 1


def test_transient_errors_beyond_the_budget_raise_the_real_error(fake_time):
    errors = [api_error(503, "poll {0}".format(number)) for number in range(1, POLL_ERROR_BUDGET + 2)]
    probe = Probe(fake_time, errors, then="done")
    with pytest.raises(FabricApiError) as caught:
        waiter(fake_time).wait(probe, 600, "x")
    assert caught.value is errors[-1]
    assert "timed out" not in str(caught.value)
    assert len(probe.times) == POLL_ERROR_BUDGET + 1


def test_the_budget_counts_consecutive_failures(fake_time):
    failing = [api_error(503)] * POLL_ERROR_BUDGET
    probe = Probe(fake_time, failing + [Pending("UPDATING")] + failing, then="done")
    assert waiter(fake_time).wait(probe, 600, "x") == "done"


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_other_errors_are_raised_at_once(fake_time, status):
    error = api_error(status)
    probe = Probe(fake_time, [Pending("UPDATING"), error], then="done")
    with pytest.raises(FabricApiError) as caught:
        waiter(fake_time).wait(probe, 600, "x")
    assert caught.value is error
    assert len(probe.times) == 2
    assert fake_time.sleeps == [1.0]


def test_wait_error_from_the_probe_propagates(fake_time):
    error = FabricWaitError("instance inst-1 is FAILED", {"status": "FAILED"})
    probe = Probe(fake_time, [Pending("UPDATING"), error], then="done")
    with pytest.raises(FabricWaitError) as caught:
        waiter(fake_time).wait(probe, 600, "x")
    assert caught.value is error
    assert len(probe.times) == 2


def test_a_probe_returning_falsy_values_is_done(fake_time):
    probe = Probe(fake_time, [Pending("DELETING"), {}])
    assert waiter(fake_time).wait(probe, 600, "x") == {}
    assert len(probe.times) == 2
