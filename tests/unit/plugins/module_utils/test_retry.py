# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What is retried (the contract's table), Retry-After parsing, and the backoff schedule."""

from __future__ import annotations

import email.utils
import random

import pytest

from ansible_collections.hwcloud.dataarts.plugins.module_utils._retry import (
    GIVE_UP,
    MAX_RETRY_AFTER,
    MAYBE_SENT,
    NOT_SENT,
    RETRY,
    UNKNOWN_OUTCOME,
    Backoff,
    decide_failure,
    decide_status,
    parse_retry_after,
)

READS = ("GET", "HEAD", "OPTIONS", "get")
WRITES = ("PUT", "POST", "DELETE", "PATCH", "post")
ERROR_STATUSES = list(range(400, 432)) + [451] + list(range(500, 512))


def expected_for_status(method, status):
    """The contract, written out independently of the implementation."""
    if status in (429, 503):
        return RETRY
    if status in (408, 500, 502, 504):
        return RETRY if method.upper() in ("GET", "HEAD", "OPTIONS") else UNKNOWN_OUTCOME
    return GIVE_UP


@pytest.mark.parametrize("method", READS + WRITES)
def test_decide_status_every_status(method):
    for status in ERROR_STATUSES:
        assert decide_status(method, status) == expected_for_status(method, status), (method, status)


@pytest.mark.parametrize("method", READS + WRITES)
@pytest.mark.parametrize("status", [429, 503])
def test_not_processed_is_retried_for_every_method(method, status):
    assert decide_status(method, status) == RETRY
    assert decide_status(method, status, idempotent=False) == RETRY


@pytest.mark.parametrize("status", [408, 500, 502, 504])
def test_outcome_unknown_statuses(status):
    assert decide_status("GET", status) == RETRY
    for method in ("PUT", "POST", "DELETE"):
        assert decide_status(method, status) == UNKNOWN_OUTCOME


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 501, 505])
def test_other_statuses_give_up(status):
    for method in READS + WRITES:
        assert decide_status(method, status) == GIVE_UP
        assert decide_status(method, status, idempotent=True) == GIVE_UP


def test_idempotent_override():
    # A POST that may be repeated (an IAM token request) is retried like a read...
    assert decide_status("POST", 500, idempotent=True) == RETRY
    assert decide_status("PUT", 502, idempotent=True) == RETRY
    # ...and a read declared not idempotent is treated like a write.
    assert decide_status("GET", 500, idempotent=False) == UNKNOWN_OUTCOME
    assert decide_failure("POST", MAYBE_SENT, idempotent=True) == RETRY
    assert decide_failure("GET", MAYBE_SENT, idempotent=False) == UNKNOWN_OUTCOME


@pytest.mark.parametrize("method", READS + WRITES)
def test_failure_before_sending_is_always_retried(method):
    assert decide_failure(method, NOT_SENT) == RETRY
    assert decide_failure(method, NOT_SENT, idempotent=False) == RETRY


def test_failure_maybe_sent():
    for method in READS:
        assert decide_failure(method, MAYBE_SENT) == RETRY
    for method in WRITES:
        assert decide_failure(method, MAYBE_SENT) == UNKNOWN_OUTCOME


@pytest.mark.parametrize("value, seconds", [("7", 7.0), (" 2.5 ", 2.5), ("0", 0.0), ("-3", 0.0), ("120", 120.0)])
def test_retry_after_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


def test_retry_after_http_date():
    now = 1_700_000_000
    header = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(header, now=now) == pytest.approx(30.0)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0


def test_retry_after_http_date_against_the_real_clock():
    header = email.utils.formatdate(4_000_000_000, usegmt=True)  # the year 2096
    assert parse_retry_after(header) > 365 * 24 * 3600


@pytest.mark.parametrize("value", [None, "", "soon", "Mon, 99 Foo 2024 99:99:99 GMT", "1,5"])
def test_retry_after_garbage(value):
    assert parse_retry_after(value) is None


def test_backoff_growth_without_jitter():
    low = Backoff(base=1.0, cap=30.0, rng=lambda: 0.0)
    high = Backoff(base=1.0, cap=30.0, rng=lambda: 1.0)
    assert [high.delay(n) for n in range(7)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert [low.delay(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]


def test_backoff_first_delay_near_one_second_by_default():
    delay = Backoff().delay(0)
    assert 0.5 <= delay <= 1.0


def test_backoff_cap():
    backoff = Backoff(base=1.0, cap=30.0, rng=lambda: 1.0)
    assert all(backoff.delay(n) <= 30.0 for n in range(40))
    assert Backoff(base=2.0, cap=5.0, rng=lambda: 1.0).delay(10) == 5.0


def test_backoff_jitter_bounds():
    rng = random.Random(20261128)
    backoff = Backoff(base=1.0, cap=30.0, rng=rng.random)
    seen = set()
    for number in range(12):
        ceiling = min(30.0, 2.0**number)
        for _draw in range(50):
            delay = backoff.delay(number)
            assert ceiling / 2 <= delay <= ceiling
            seen.add(round(delay, 6))
    # Jitter really varies the pause.
    assert len(seen) > 100


def test_backoff_uses_the_injected_rng():
    values = iter([0.25, 0.75])
    backoff = Backoff(base=1.0, cap=30.0, rng=lambda: next(values))
    assert backoff.delay(2) == 2.0 + 0.25 * 2.0
    assert backoff.delay(2) == 2.0 + 0.75 * 2.0


def test_retry_after_wins_over_backoff():
    def rng():
        raise AssertionError("no jitter when the server said how long to wait")

    backoff = Backoff(rng=rng)
    assert backoff.delay(0, retry_after=7.0) == 7.0
    assert backoff.delay(5, retry_after=0.0) == 0.0


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e999"])
def test_retry_after_that_is_not_a_finite_number_is_ignored(value):
    assert parse_retry_after(value) is None


def test_a_huge_retry_after_is_capped():
    assert Backoff(rng=lambda: 0.0).delay(0, retry_after=86400) == MAX_RETRY_AFTER == 60.0
    assert Backoff(rng=lambda: 0.0).delay(0, retry_after=2.5) == 2.5
