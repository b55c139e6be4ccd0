# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the plugin unit tests: a fake monotonic clock and a strict HTTP stub."""

from __future__ import annotations

import pytest
import responses


class FakeTime:
    """A monotonic clock that only moves when ``sleep`` is called; every pause is recorded."""

    def __init__(self, start=1000.0):
        self.start = start
        self.now = start
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0, "negative sleep {0}".format(seconds)
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def elapsed(self):
        return self.now - self.start


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def mocked():
    """``responses`` active for the test: an unregistered URL is a failed call (and is still counted in ``calls``)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps
